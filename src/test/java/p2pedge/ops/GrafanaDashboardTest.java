package p2pedge.ops;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import p2pedge.testing.FakeMediaPlane;
import p2pedge.testing.PlayerTokens;
import p2pedge.testing.Scrape;
import p2pedge.testing.SignallingClient;
import p2pedge.testing.TestEdge;

import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pedge.testing.P2pScript.CHROME_WINDOWS;
import static p2pedge.testing.P2pScript.FAKE_ANSWER;
import static p2pedge.testing.P2pScript.placedOn;
import static p2pedge.testing.P2pScript.relay;
import static p2pedge.testing.P2pScript.sdp;
import static p2pedge.testing.P2pScript.servedByEdge;

/**
 * The Grafana dashboard ({@code deploy/grafana/p2p-edge.json}) against a running edge: every query of every panel
 * (those a collapsed row holds too) and of every query variable selects only metrics the edge's {@code /metrics}
 * exports; every {@code p2pedge_*} meter it exports has a panel, as do Vert.x's HTTP, WebSocket and event bus meters
 * and the JVM heap; panel ids are unique, each panel asks the dashboard's Prometheus datasource and filters by its
 * edge variable.
 * <p>
 * The edge runs on Vert.x built as {@code Main} builds it (Vert.x's and the JVM's meters in the edge's registry) with
 * its media answered by a {@link FakeMediaPlane}: the media meters are the edge's own, registered whatever the plane,
 * so no libwebrtc is needed and the check runs in the fast tier too. A counter exists only from its first event, so
 * each gets one through the edge's ports, as players would make it: a Host Peer, its client and their relay, a
 * hostname candidate, a bad message, a player and a WHIP publisher without a token, a silent connection on the
 * metrics port, the host leaving and its client's failover. The fake plane reports one datagram dropped, as the
 * forwarder's UDP port would. The names are never taken from the code: a meter renamed there fails here.
 */
class GrafanaDashboardTest {

    private static final Path DASHBOARD = Path.of("deploy/grafana/p2p-edge.json");
    private static final String STREAM = "app/stream";
    /** Meters the dashboard leaves out, and why. */
    private static final Map<String, String> LEFT_OUT = Map.of("p2pedge_failover_seconds_max",
            "Micrometer's largest failover of its last few minutes: the quantiles and the heatmap say more",
            "p2pedge_offer_seconds_max", "the same for offers: the p99 per stage says more");
    /** What the dashboard must show: a metric, and what a query of it must also say ("" nothing). */
    private static final Map<String, String> REQUIRED = new LinkedHashMap<>();

    static {
        REQUIRED.put("p2pedge_offload_ratio", "");
        REQUIRED.put("p2pedge_stream_offload_ratio", "");
        REQUIRED.put("p2pedge_players", "by (role)");
        REQUIRED.put("p2pedge_hosts", "by (clients)");
        REQUIRED.put("p2pedge_failover_seconds_bucket", "histogram_quantile(0.99,");
        REQUIRED.put("p2pedge_media_egress_bitrate_bits_per_second", "");
        REQUIRED.put("p2pedge_media_egress_bytes_total", "rate(");
        REQUIRED.put("p2pedge_placements_total", "by (role)");
        REQUIRED.put("p2pedge_replacements_total", "by (cause)");
        REQUIRED.put("p2pedge_media_port_dropped_total", "by (reason)");
        REQUIRED.put("p2pedge_media_forward_delay_packets_total", "histogram_quantile(0.99,");
        REQUIRED.put("p2pedge_signalling_errors_total", "by (code)");
        REQUIRED.put("p2pedge_refusals_total", "by (port, reason)");
        REQUIRED.put("vertx_http_server_active_connections", "");
        REQUIRED.put("vertx_http_server_active_ws_connections", "");
        REQUIRED.put("vertx_eventbus_processed_total", "");
        REQUIRED.put("jvm_memory_used_bytes", "area=\"heap\"");
    }

    private static GrafanaDashboard dashboard;
    private static Vertx players;
    private static TestEdge edge;
    /** Players kept on the edge while it is scraped: players, hosts and streams are gauges of who is there. */
    private static final List<SignallingClient> staying = new ArrayList<>();
    /** The edge's metrics once it has counted every event played to it. */
    private static Scrape scrape;

    @BeforeAll
    static void startAnEdgeAndGiveEachCounterAnEvent() throws Exception {
        dashboard = GrafanaDashboard.read(DASHBOARD);
        players = Vertx.vertx();
        JsonObject config = new JsonObject()
                .put("p2p", new JsonObject().put("policy", "ome")) // hosts registered at their offer
                .put("admission", PlayerTokens.admission())
                .put("http", new JsonObject().put("headerTimeoutSeconds", 1));
        edge = TestEdge.startAsMainDoes(config, (c, cluster, v) -> new FakeMediaPlane(c, Map.of("stun: no_credentials", 1L)));
        playEveryCountedEvent();
        // Events are counted on the edge's event loops, after the messages that caused them were sent: wait (a bounded
        // while) for a scrape with every name, so that a missing one below is missing, not late.
        long deadline = System.currentTimeMillis() + 10_000;
        do {
            scrape = Scrape.of(edge.metricsPort());
        } while (!dashboard.unknownNames(scrape.names()).isEmpty() && System.currentTimeMillis() < deadline && pause());
    }

    private static boolean pause() throws InterruptedException {
        Thread.sleep(100);
        return true;
    }

    private static void playEveryCountedEvent() throws Exception {
        String token = PlayerTokens.valid(players, new JsonObject().put("stream", STREAM));
        SignallingClient client = stays(player(token));
        try (SignallingClient host = player(token)) {
            long hostId = servedByEdge(host);
            long clientId = placedOn(client, host, hostId);
            relay(host, hostId, client, clientId);
            // A name other than a browser's random <uuid>.local: not relayed.
            host.send(new JsonObject().put("command", "candidate_p2p").put("id", hostId).put("peer_id", clientId)
                    .put("candidates", new JsonArray().add(new JsonObject()
                            .put("candidate", "candidate:2 1 udp 2122260223 printer.example 50000 typ host").put("sdpMLineIndex", 0))));
            try (SignallingClient rude = player(token)) {
                rude.sendText("{not json");
                assertEquals(400, rude.next().getInteger("code"));
            }
            try (SignallingClient stranger = SignallingClient.connect(players, edge.port(), "/" + STREAM)) {
                assertEquals(401, stranger.next().getInteger("code"), "admission: no token");
            }
            assertEquals(403, whipWithoutToken(), "the app has no WHIP token and is not open");
            assertEquals(-1, silentConnectionClosed(), "closed by the header timeout");
            host.close();
            assertEquals(hostId, client.expect("stop").getLong("peer_id"));
            long again = servedByEdge(client);
            client.send(new JsonObject().put("command", "answer").put("id", again).put("peer_id", 0).put("sdp", sdp("answer", FAKE_ANSWER)));
            // The client hosts now: a new player plays from it.
            SignallingClient next = stays(player(token));
            relay(client, again, next, placedOn(next, client, again));
        }
    }

    private static SignallingClient stays(SignallingClient player) {
        staying.add(player);
        return player;
    }

    private static SignallingClient player(String token) throws Exception {
        return SignallingClient.connect(players, edge.port(), "/" + STREAM + "?token=" + token, CHROME_WINDOWS);
    }

    private static int whipWithoutToken() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/" + STREAM))
                .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString("v=0\r\n")).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** A connection to the metrics port that sends nothing: what it reads before the edge closes it (-1, the end). */
    private static int silentConnectionClosed() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", edge.metricsPort())) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            return in.read();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            staying.forEach(SignallingClient::close);
            if (edge != null) {
                edge.close();
            }
        } finally {
            players.close().await(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void everyQuerySelectsAMetricTheEdgeExports() {
        assertFalse(dashboard.panelQueries().isEmpty());
        assertEquals(List.of(), dashboard.unknownNames(scrape.names()), "metrics the dashboard selects and the edge does not export");
    }

    @Test
    void theDashboardShowsEveryEdgeMeterAndTheRequiredOnes() {
        Set<String> selected = dashboard.names();
        Set<String> notShown = new TreeSet<>();
        scrape.names().stream().filter(n -> n.startsWith("p2pedge_") && !selected.contains(n) && !LEFT_OUT.containsKey(n))
                .forEach(notShown::add);
        assertEquals(Set.of(), notShown, "meters of the edge with no panel (show them, or leave them out in LEFT_OUT saying why)");
        List<String> missing = new ArrayList<>();
        REQUIRED.forEach((metric, says) -> {
            boolean shown = dashboard.panelQueries().stream()
                    .anyMatch(q -> PromQlSelectors.names(q.expr()).contains(metric) && q.expr().contains(says));
            if (!shown) {
                missing.add(metric + (says.isEmpty() ? "" : " with " + says));
            }
        });
        assertEquals(List.of(), missing, "panels the dashboard must have");
    }

    @Test
    void panelIdsAreUniqueAndEveryPanelAsksTheDashboardsPrometheus() {
        List<JsonObject> variables = dashboard.variables().stream().filter(v -> "datasource".equals(v.getString("type"))).toList();
        assertEquals(1, variables.size(), "one datasource variable");
        assertEquals("prometheus", variables.get(0).getString("query"));
        JsonObject prometheus = new JsonObject().put("type", "prometheus").put("uid", "${" + variables.get(0).getString("name") + "}");

        Set<Integer> ids = new HashSet<>();
        List<String> problems = new ArrayList<>();
        for (JsonObject panel : dashboard.panels()) {
            String name = "panel " + panel.getValue("id") + " \"" + panel.getString("title", "") + "\"";
            if (!(panel.getValue("id") instanceof Integer id) || !ids.add(id)) {
                problems.add(name + ": its id is not a number, or another panel's");
            }
            if ("row".equals(panel.getString("type"))) {
                continue; // a row queries nothing
            }
            if (!prometheus.equals(panel.getJsonObject("datasource"))) {
                problems.add(name + ": datasource " + panel.getValue("datasource"));
            }
            JsonArray targets = panel.getJsonArray("targets", new JsonArray());
            if (targets.isEmpty()) {
                problems.add(name + ": no query");
            }
            for (Object target : targets) {
                JsonObject datasource = ((JsonObject) target).getJsonObject("datasource");
                if (datasource != null && !prometheus.equals(datasource)) {
                    problems.add(name + " " + ((JsonObject) target).getString("refId") + ": datasource " + datasource.encode());
                }
            }
        }
        dashboard.variables().stream().filter(v -> "query".equals(v.getString("type")))
                .filter(v -> !prometheus.equals(v.getJsonObject("datasource")))
                .forEach(v -> problems.add("variable " + v.getString("name") + ": datasource " + v.getValue("datasource")));
        assertEquals(List.of(), problems);
        assertTrue(dashboard.panels().stream().anyMatch(p -> "row".equals(p.getString("type")) && p.getBoolean("collapsed", false)
                && !p.getJsonArray("panels").isEmpty()), "the checks walked a collapsed row's panels");
    }

    @Test
    void everySelectorFiltersByTheEdgeVariable() {
        JsonObject edges = dashboard.variables().stream().filter(v -> "instance".equals(v.getString("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no variable instance"));
        assertTrue(edges.getBoolean("multi") && edges.getBoolean("includeAll"), "one edge, several, or all");
        List<String> unfiltered = new ArrayList<>();
        for (GrafanaDashboard.Query query : dashboard.panelQueries()) {
            PromQlSelectors.of(query.expr()).stream().filter(s -> !s.matchers().contains("instance=~\"$instance\""))
                    .forEach(s -> unfiltered.add(s.metric() + " in " + query.where()));
        }
        assertEquals(List.of(), unfiltered, "selectors that show every edge whatever the variable says");
    }
}
