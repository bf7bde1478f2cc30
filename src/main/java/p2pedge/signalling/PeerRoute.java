package p2pedge.signalling;

import p2pedge.signalling.protocol.EdgeMessages;

import java.util.function.LongFunction;

/**
 * Reaches a peer wherever its socket is: a session of this edge, or another edge's signalling over
 * {@link EdgeLink}. The one place that tells local from remote, so relay handlers never branch on it.
 */
final class PeerRoute {

    private final EdgeLink link;
    private final LongFunction<PlayerSession> sessions;

    PeerRoute(EdgeLink link, LongFunction<PlayerSession> sessions) {
        this.link = link;
        this.sessions = sessions;
    }

    String edgeId() {
        return link.edgeId();
    }

    /** Whether a player's socket is on this edge and open. */
    boolean isOnline(long session) {
        PlayerSession player = sessions.apply(session);
        return player != null && player.isOpen();
    }

    /** To a player on this edge; nothing if it is gone. */
    void toPlayer(long session, String text) {
        PlayerSession player = sessions.apply(session);
        if (player != null) {
            player.send(text);
        }
    }

    /** To the host of a relay; {@code endsRelay}: the host's edge forgets the pairing. */
    void toHost(RelayTable.Peer host, long client, String text, boolean endsRelay) {
        if (isHere(host)) {
            toPlayer(host.session(), text);
        } else {
            link.toHost(host.edge(), host.session(), client, text, endsRelay);
        }
    }

    /** Asks a host of this edge to offer to {@code client}; false when it is gone. */
    boolean askToOffer(long host, long client) {
        if (!isOnline(host)) {
            return false;
        }
        toPlayer(host, EdgeMessages.requestOfferP2p(host, client));
        return true;
    }

    /** What a host here said, for the edge of its client. */
    void toClientEdge(RelayAction.ToClientEdge message) {
        link.toClientEdge(message.edge(), message.kind(), message.host(), message.client(), message.sdp(), message.candidates());
    }

    private boolean isHere(RelayTable.Peer peer) {
        return peer.edge().equals(link.edgeId());
    }
}
