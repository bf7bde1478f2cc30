package p2pedge.signalling;

/**
 * What signalling answers on this edge's local event bus, for the operations side (metrics, admin API): the
 * addresses, and the shapes they reply with.
 */
public final class SignallingApi {

    /** Replies with {@link PlayerSnapshot#toJson()}: this edge's players by role and stream, its hosts by clients. */
    public static final String PLAYERS = "p2pedge.signalling.players";
    /** Replies with this edge's players as a JSON array (id, stream, role, host, clients). */
    public static final String PEERS = "p2pedge.signalling.peers";
    /** Drains the edge (its hosts' clients moved, new players refused); replies with what was moved. */
    public static final String DRAIN = "p2pedge.signalling.drain";

    private SignallingApi() {
    }
}
