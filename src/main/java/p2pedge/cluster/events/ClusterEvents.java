package p2pedge.cluster.events;

/**
 * What the cluster tells the components of this edge, on its local event bus. A leaf: the cluster publishes,
 * signalling, classification and the media plane listen, and none of them depends on the cluster's code.
 */
public final class ClusterEvents {

    /** Published locally (body: the edge id) when another edge of the cluster is gone. */
    public static final String EDGE_LEFT = "p2pedge.cluster.edge-left";

    /**
     * Published locally (body: the edge id) when an edge joins the cluster: a new one, or one that was announced
     * gone and is back (a network split healed, with the same id).
     */
    public static final String EDGE_JOINED = "p2pedge.cluster.edge-joined";

    /**
     * Published locally on a host's edge (body: a {@link RemoteSlot}) when it gives a slot of one of its hosts to a
     * client of another edge. The host is to be asked to offer now: the client's edge will not ask (one hop between
     * edges per placement, not three), and holds what the host says until its placement result arrives.
     */
    public static final String SLOT_GRANTED = "p2pedge.cluster.slot-granted";

    /**
     * Published locally on a host's edge (body: a {@link RemoteSlot}) when a client of another edge gives its slot
     * back: the relay is over, perhaps before the client's edge ever heard of it (it gave up waiting for the grant).
     */
    public static final String SLOT_RELEASED = "p2pedge.cluster.slot-released";

    private ClusterEvents() {
    }
}
