package p2pedge.testing;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import p2pedge.Edge;
import p2pedge.cluster.EdgeCluster;
import p2pedge.config.ConfigLoader;
import p2pedge.config.EdgeConfig;
import p2pedge.media.MediaApi;
import p2pedge.metrics.EdgeMetrics;

import java.util.concurrent.TimeUnit;

/** An in-process edge on loopback with an ephemeral signalling port, for tests. */
public final class TestEdge implements AutoCloseable {

    private final Vertx vertx;
    private final Edge edge;
    private final EdgeConfig config;
    /** Whether close() closes the Vert.x instance too (one the edge was started on by {@link #startAsMainDoes}). */
    private final boolean ownsVertx;

    private TestEdge(Vertx vertx, Edge edge, EdgeConfig config, boolean ownsVertx) {
        this.vertx = vertx;
        this.edge = edge;
        this.config = config;
        this.ownsVertx = ownsVertx;
    }

    /**
     * An edge on its own Vert.x instance built as {@code Main} builds it, with Vert.x's metrics (HTTP, WebSocket,
     * event bus, pools, JVM) in the edge's Prometheus registry.
     */
    public static TestEdge startAsMainDoes(JsonObject overrides) throws Exception {
        refuseNativeMediaInFastTier();
        return startAsMainDoes(overrides, Edge::configuredMediaPlane);
    }

    /**
     * As {@link #startAsMainDoes}, Vert.x's and the JVM's meters included, with the media contract answered by
     * {@code plane}: with a {@link FakeMediaPlane}, the whole metrics port without libwebrtc (the fast tier).
     */
    public static TestEdge startAsMainDoes(JsonObject overrides, Edge.MediaPlane plane) throws Exception {
        EdgeConfig config = loadConfig(overrides);
        var registry = EdgeMetrics.newRegistry();
        Vertx vertx = EdgeCluster.startVertx(config, registry).await(30, TimeUnit.SECONDS).vertx();
        Edge edge = Edge.start(vertx, config, EdgeCluster.standalone(), registry, plane).await(30, TimeUnit.SECONDS);
        return new TestEdge(vertx, edge, config, true);
    }

    /**
     * The configuration {@code Main} would load, with the loopback defaults and then {@code overrides} merged over
     * it, read with a short-lived Vert.x instance (as Main does before it knows whether to cluster).
     */
    public static EdgeConfig loadConfig(JsonObject overrides) throws Exception {
        Vertx bootstrap = Vertx.vertx();
        try {
            return ConfigLoader.load(bootstrap, null, loopbackConfig().mergeIn(overrides, true)).await(30, TimeUnit.SECONDS);
        } finally {
            bootstrap.close().await(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Loopback defaults for tests; {@code overrides} is merged over them (deeply). Tests play many players from one
     * address (127.0.0.1), as players behind one NAT: the per-address caps are off (see {@link #productionCaps()}).
     * Players on one machine reach each other only by loopback candidates, which the edge relays between peers only
     * when allowed.
     */
    public static JsonObject loopbackConfig() {
        return new JsonObject()
                .put("signalling", new JsonObject().put("host", "127.0.0.1").put("port", 0)
                        .put("maxSocketsPerAddress", 0).put("maxPendingOffersPerAddress", 0))
                .put("http", new JsonObject().put("maxConnectionsPerAddress", 0))
                // One address for every player: a silent client leaving soon is no sign about "its network" here.
                .put("p2p", new JsonObject().put("allowLoopbackCandidates", true).put("silentGiveUpSeconds", 0))
                // The admin token the edges make is kept under target/, not in the working tree.
                .put("metrics", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("adminTokenFile", "target/test-admin-token"))
                .put("media", new JsonObject().put("iceCandidateAddresses", new io.vertx.core.json.JsonArray().add("127.0.0.1"))
                        // Several edges may run at once: any free ports.
                        .put("forwarder", new JsonObject().put("port", 0).put("stun", new JsonObject().put("port", 0))));
    }

    /**
     * Overrides that put the per-address caps back to the shipped defaults ({@code conf/edge.json}), for tests of
     * what one address can do to an edge.
     */
    public static JsonObject productionCaps() throws java.io.IOException {
        JsonObject shipped = new JsonObject(java.nio.file.Files.readString(java.nio.file.Path.of("conf/edge.json")));
        JsonObject caps = new JsonObject();
        for (String section : java.util.List.of("signalling", "http")) {
            JsonObject values = shipped.getJsonObject(section, new JsonObject());
            JsonObject perAddress = new JsonObject();
            values.fieldNames().stream().filter(k -> k.endsWith("PerAddress")).forEach(k -> perAddress.put(k, values.getValue(k)));
            caps.put(section, perAddress);
        }
        return caps;
    }

    /** An edge with the configured media plane (libwebrtc, the demo encoder, the UDP port). */
    public static TestEdge start(Vertx vertx, JsonObject overrides) throws Exception {
        refuseNativeMediaInFastTier();
        return start(vertx, overrides, Edge::configuredMediaPlane);
    }

    /**
     * An edge whose media contract is answered by a {@link FakeMediaPlane}: no libwebrtc, no encoder, for tests of
     * signalling and P2P (the fast tier, {@code mvn test -Pfast}).
     */
    public static TestEdge startWithFakeMedia(Vertx vertx, JsonObject overrides) throws Exception {
        return start(vertx, overrides, (config, cluster, v) -> new FakeMediaPlane(config));
    }

    private static TestEdge start(Vertx vertx, JsonObject overrides, Edge.MediaPlane plane) throws Exception {
        JsonObject extra = loopbackConfig().mergeIn(overrides, true);
        EdgeConfig config = ConfigLoader.load(vertx, null, extra).await(30, TimeUnit.SECONDS);
        // A loaded machine (CI with other work) can take more than a minute to start the media plane and P2P.
        Edge edge = Edge.start(vertx, config, EdgeCluster.standalone(), EdgeMetrics.newRegistry(), plane)
                .await(120, TimeUnit.SECONDS);
        return new TestEdge(vertx, edge, config, false);
    }

    /** Set by the fast tier's profile: a test there that starts the real media plane is mis-tagged. */
    private static void refuseNativeMediaInFastTier() {
        if (Boolean.getBoolean("p2pedge.test.fastTier")) {
            throw new AssertionError("this test starts the media plane (libwebrtc): tag it \"media\" (or e2e/browser/cluster), "
                    + "or start its edge with TestEdge.startWithFakeMedia");
        }
    }

    /** Overrides for the per-viewer webrtc-java media plane (the default is the forwarder). */
    public static JsonObject webrtcPlane() {
        return new JsonObject().put("media", new JsonObject().put("plane", "webrtc"));
    }

    public static TestEdge start(Vertx vertx) throws Exception {
        return start(vertx, new JsonObject());
    }

    public int port() {
        return edge.signallingPort();
    }

    public int metricsPort() {
        return edge.metricsPort();
    }

    public String edgeId() {
        return edge.edgeId();
    }

    public EdgeConfig config() {
        return config;
    }

    public String wsUrl(String stream) {
        return "ws://127.0.0.1:" + port() + "/" + stream;
    }

    /** Edge connections the media verticle holds right now. */
    public int mediaConnections() throws Exception {
        return new MediaApi(vertx.eventBus(), 5_000).connectionCount().await(5, TimeUnit.SECONDS);
    }

    /** Polls until the media verticle holds {@code expected} connections, or fails. */
    public void awaitMediaConnections(int expected, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        int now;
        while ((now = mediaConnections()) != expected) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("expected " + expected + " media connections, edge holds " + now);
            }
            Thread.sleep(50);
        }
    }

    /** The bearer token of the edge's admin API. */
    public String adminToken() {
        return edge.adminToken();
    }

    /** The host registry as the classification verticle reports it. */
    public io.vertx.core.json.JsonArray hosts() throws Exception {
        return new p2pedge.p2p.P2pApi(vertx.eventBus(), 5_000).hosts().await(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        edge.stop().await(30, TimeUnit.SECONDS);
        if (ownsVertx) {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }
}
