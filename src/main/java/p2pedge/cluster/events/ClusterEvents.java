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

    private ClusterEvents() {
    }
}
