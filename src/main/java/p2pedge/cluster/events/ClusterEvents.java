package p2pedge.cluster.events;

/**
 * What the cluster tells the components of this edge, on its local event bus. A leaf: the cluster publishes,
 * signalling, classification and the media plane listen, and none of them depends on the cluster's code.
 */
public final class ClusterEvents {

    /** Published locally (body: the edge id) when another edge of the cluster is gone. */
    public static final String EDGE_LEFT = "p2pedge.cluster.edge-left";

    private ClusterEvents() {
    }
}
