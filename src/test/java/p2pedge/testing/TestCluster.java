package p2pedge.testing;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import p2pedge.Edge;
import p2pedge.cluster.EdgeCluster;
import p2pedge.config.EdgeConfig;
import p2pedge.media.MediaApi;
import p2pedge.p2p.P2pApi;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Clustered edges in one JVM: each a Vert.x instance with its own Hazelcast member on loopback, joined into
 * a cluster of a random name (so no stray member joins), with its own signalling port and media plane.
 */
public final class TestCluster implements AutoCloseable {

    /** One member: its Vert.x, Hazelcast and edge. */
    public static final class Member {
        public final Vertx vertx;
        public final HazelcastClusterManager manager;
        public final Edge edge;

        Member(Vertx vertx, HazelcastClusterManager manager, Edge edge) {
            this.vertx = vertx;
            this.manager = manager;
            this.edge = edge;
        }

        public int port() {
            return edge.signallingPort();
        }

        public String id() {
            return edge.edgeId();
        }

        public JsonArray hosts() throws Exception {
            return new P2pApi(vertx.eventBus(), 5_000).hosts().await(5, TimeUnit.SECONDS);
        }

        public int mediaConnections() throws Exception {
            return new MediaApi(vertx.eventBus(), 5_000).connectionCount().await(5, TimeUnit.SECONDS);
        }
    }

    private final String name = "p2p-edge-test-" + UUID.randomUUID();
    private final JsonObject overrides;
    private final List<Member> members = new ArrayList<>();

    public TestCluster(JsonObject overrides) {
        this.overrides = overrides;
    }

    /** Starts one more member (each new member joins the ones already running). */
    public Member start() throws Exception {
        return start(EdgeCluster::clusterManager);
    }

    /** A cluster manager made from a member's cluster settings. */
    public interface Managers {
        HazelcastClusterManager create(EdgeConfig.Cluster cluster) throws Exception;
    }

    /** {@link #start()} with a cluster manager of the test's making (one that slows the cluster down, say). */
    public Member start(Managers managers) throws Exception {
        EdgeConfig config = memberConfig();
        HazelcastClusterManager manager = managers.create(config.cluster());
        Vertx vertx = Vertx.builder().withClusterManager(manager).buildClustered().await(60, TimeUnit.SECONDS);
        Edge edge = Edge.start(vertx, config, EdgeCluster.member(manager)).await(60, TimeUnit.SECONDS);
        Member member = new Member(vertx, manager, edge);
        members.add(member);
        return member;
    }

    /** A clustered Vert.x with its Hazelcast member and no edge: for the cluster's parts on their own. */
    public record Node(Vertx vertx, HazelcastClusterManager manager) {
    }

    /** Joins one more node without an edge; the caller closes its Vert.x. */
    public Node startNode() throws Exception {
        HazelcastClusterManager manager = EdgeCluster.clusterManager(memberConfig().cluster());
        return new Node(Vertx.builder().withClusterManager(manager).buildClustered().await(60, TimeUnit.SECONDS), manager);
    }

    /** The Hazelcast configuration the members use: a plain Hazelcast member (not an edge) joins with it. */
    public com.hazelcast.config.Config hazelcastConfig() throws Exception {
        return EdgeCluster.hazelcastConfig(memberConfig().cluster());
    }

    private EdgeConfig memberConfig() throws Exception {
        JsonObject extra = new JsonObject()
                .put("cluster", new JsonObject().put("enabled", true).put("name", name).put("port", 5901)
                        .put("members", "127.0.0.1:5901,127.0.0.1:5902,127.0.0.1:5903,127.0.0.1:5904,127.0.0.1:5905"))
                .put("streams", new JsonArray().add(new JsonObject().put("name", "app/stream").put("source", "demo")
                        .put("width", 320).put("height", 180).put("fps", 15)))
                .mergeIn(overrides, true);
        return TestEdge.loadConfig(extra);
    }

    /** Kills a member the hard way: its Hazelcast member vanishes at once, then its sockets die with Vert.x. */
    public void kill(Member member) throws Exception {
        members.remove(member);
        member.manager.getHazelcastInstance().getLifecycleService().terminate();
        member.vertx.close().await(30, TimeUnit.SECONDS);
    }

    /**
     * {@link #kill} on another thread, for a test that times what the other edges do meanwhile: after its Hazelcast
     * member is gone, the dead member's Vert.x takes about 3 s to close here (its undeploys and leaving the cluster
     * fail), which a crashed process never spends.
     */
    public java.util.concurrent.CompletableFuture<Void> killAsync(Member member) {
        return java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                kill(member);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    public void stop(Member member) throws Exception {
        members.remove(member);
        member.edge.stop().await(30, TimeUnit.SECONDS);
        member.vertx.close().await(30, TimeUnit.SECONDS);
    }

    public List<Member> members() {
        return List.copyOf(members);
    }

    @Override
    public void close() throws Exception {
        for (Member member : new ArrayList<>(members)) {
            stop(member);
        }
    }
}
