package p2pedge.admission;

import p2pedge.config.EdgeConfig.P2pConsent;

/** A player let in: what its token (or the edge's default, without admission) allows it in P2P Delivery. */
public record Admitted(P2pConsent p2p) {

    /** May relay the stream to other players. */
    public boolean mayHost() {
        return p2p == P2pConsent.HOST;
    }

    /** May play from another player (its address then goes to that player). */
    public boolean mayBeClient() {
        return p2p != P2pConsent.NONE;
    }
}
