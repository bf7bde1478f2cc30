package p2pedge.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import p2pedge.testing.AdminClient;
import p2pedge.testing.Chromium;
import p2pedge.testing.Scrape;
import p2pedge.testing.Waits;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Failover in real browsers: one edge process, headless Chromium with the project's player page; each round a
 * host tab and CLIENTS client tabs playing from it (P2P, N=2), then the host tab is closed and the time until each
 * client decodes frames again is measured: the page's own record of the failover's stages, up to its first decoded
 * frame. The bench reads that record every 100 ms (a cheap look: no getStats, which on two loaded cores would take
 * CPU from the tabs it measures). K rounds; prints p50/p99/max over all clients, each stage's share (see
 * FailoverStages), and the edge's own figures (failover histogram, offer stages; these count the warm-up's too).
 * WARMUP_ROUNDS rounds come first and are not counted: the first failovers of a fresh edge run code the JIT has not
 * compiled yet.
 * Environment: ROUNDS (default 10), CLIENTS (2), WARMUP_ROUNDS (3).
 */
public final class BrowserFailoverBench {

    private static final String ADMIN_TOKEN = "bench-" + java.util.UUID.randomUUID();

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "target/p2p-edge.jar");
        int rounds = Integer.parseInt(System.getenv().getOrDefault("ROUNDS", "10"));
        int warmupRounds = Integer.parseInt(System.getenv().getOrDefault("WARMUP_ROUNDS", "3"));
        int clientsPerHost = Integer.parseInt(System.getenv().getOrDefault("CLIENTS", "2"));
        int metricsPort = Waits.freePort();
        Vertx vertx = Vertx.vertx();
        List<String> servedBy = new ArrayList<>();
        FailoverStages stages = new FailoverStages();
        List<Double> jitterBufferMs = new ArrayList<>();
        try (EdgeProcess edge = EdgeProcess.start(jar, Map.of("metrics.port", Integer.toString(metricsPort),
                "metrics.adminToken", ADMIN_TOKEN,
                "p2p.maxClientPeersPerHostPeer", Integer.toString(clientsPerHost)), Path.of("target/bench-failover-edge.log"));
             Chromium chromium = Chromium.launch(vertx, Chromium.LOOPBACK_WEBRTC_FLAGS)) {
            System.out.printf(Locale.ROOT, "headless Chromium, one edge process; %d rounds of 1 host tab + %d client tabs "
                    + "(player page, P2P); the host tab is closed; time until each client decodes again; %d rounds before, not counted "
                    + "(the edge's first failovers run code not yet compiled)%n", rounds, clientsPerHost, warmupRounds);
            String url = "http://127.0.0.1:" + edge.port() + "/?stream=app/stream";
            for (int round = -warmupRounds; round < rounds; round++) {
                boolean counted = round >= 0;
                Chromium.Page host = chromium.open(url);
                host.waitUntil("window.p2pEdgePlayer.framesDecoded > 10", Duration.ofSeconds(20), "the host tab plays");
                long hostId = ((Number) host.eval("window.p2pEdgePlayer.id")).longValue();
                Waits.until(() -> hosts(metricsPort).size() == 1, 10_000, "the host tab is a Host Peer");
                List<Chromium.Page> clients = new ArrayList<>();
                for (int i = 0; i < clientsPerHost; i++) {
                    Chromium.Page client = chromium.open(url);
                    client.waitUntil("window.p2pEdgePlayer.framesDecoded > 10 && window.p2pEdgePlayer.peerId === " + hostId,
                            Duration.ofSeconds(20), "a client tab plays from the host tab");
                    clients.add(client);
                }
                long closedAt = System.currentTimeMillis();
                long closed = System.nanoTime();
                host.close();
                boolean[] done = new boolean[clients.size()];
                int left = clients.size();
                long deadline = closed + TimeUnit.SECONDS.toNanos(15);
                while (left > 0 && System.nanoTime() < deadline) {
                    for (int i = 0; i < clients.size(); i++) {
                        if (!done[i] && Boolean.TRUE.equals(clients.get(i).eval("(() => { const f = (window.p2pEdgePlayer.failovers"
                                + " || []).at(-1); return !!f && f.stop > " + (closedAt - 1_000) + " && f.decoded !== undefined; })()"))) {
                            done[i] = true;
                            left--;
                            if (counted) {
                                servedBy.add(((Number) clients.get(i).eval("window.p2pEdgePlayer.peerId")).longValue() == 0 ? "edge" : "peer");
                            }
                        }
                    }
                    Thread.sleep(100);
                }
                if (left > 0) {
                    throw new IllegalStateException("round " + round + ": " + left + " client(s) did not play again within 15 s");
                }
                if (counted) {
                    for (Chromium.Page client : clients) {
                        stages.add(closedAt, new JsonObject(String.valueOf(client.eval("JSON.stringify((window.p2pEdgePlayer.failovers || []).at(-1) || {})"))));
                    }
                }
                // What a start from a keyframe that had gone by costs: the new connection's frames wait longer in the
                // jitter buffer while it catches up. Read 2 s after the failover, the average over its frames.
                Thread.sleep(Math.max(0, 2_000 - (System.currentTimeMillis() - closedAt)));
                for (Chromium.Page client : clients) {
                    // -1: a page without the figure (an older edge's, in a side-by-side run)
                    double ms = ((Number) client.eval("window.p2pEdgePlayer.videoNow().then(v => v.jitterBufferMs ?? -1)")).doubleValue();
                    if (ms >= 0 && counted) {
                        jitterBufferMs.add(ms);
                    }
                }
                clients.forEach(Chromium.Page::close);
                Waits.until(() -> hosts(metricsPort).isEmpty(), 10_000, "the round's players gone");
            }
            long byEdge = servedBy.stream().filter("edge"::equals).count();
            System.out.printf(Locale.ROOT, "host tab closed -> client's first frame decoded again (the page's own record), %s "
                    + "(re-served by the edge %d, by another peer %d)%n", percentiles(stages.decoded()), byEdge, servedBy.size() - byEdge);
            stages.print();
            Spread jitter = Spread.of(jitterBufferMs);
            System.out.println("the new connection's frames in the jitter buffer, average over its first 2 s: " + (jitterBufferMs.isEmpty()
                    ? "not recorded (an older edge's page)"
                    : String.format(Locale.ROOT, "median %.0f ms (%.0f .. %.0f)", jitter.median(), jitter.min(), jitter.max())));
            Scrape scrape = Scrape.of(metricsPort);
            double count = scrape.value("p2pedge_failover_seconds_count");
            System.out.printf(Locale.ROOT, "the edge's p2pedge_failover_seconds (stop sent -> new media connected): %.0f failovers, "
                    + "mean %.0f ms, max %.0f ms%n", count, 1000 * scrape.value("p2pedge_failover_seconds_sum") / count,
                    1000 * scrape.value("p2pedge_failover_seconds_max"));
            for (String after : List.of("request_offer", "stop")) {
                for (String stage : List.of("placement", "media")) {
                    String label = "after=\"" + after + "\",stage=\"" + stage + "\"";
                    double n = scrape.value("p2pedge_offer_seconds_count", label);
                    System.out.printf(Locale.ROOT, "the edge's %s -> offer, stage %s (p2pedge_offer_seconds, every edge-served offer %s): "
                            + "%.0f offers, mean %.1f ms, p50 <= %.0f ms, p99 <= %.0f ms (histogram buckets), max %.1f ms%n",
                            after, stage, after.equals("stop") ? "that followed a stop unasked" : "a player asked for",
                            n, 1000 * scrape.value("p2pedge_offer_seconds_sum", label) / n,
                            1000 * Scrape.bucketBound(scrape.buckets("p2pedge_offer_seconds_bucket", label), 0.5),
                            1000 * Scrape.bucketBound(scrape.buckets("p2pedge_offer_seconds_bucket", label), 0.99),
                            1000 * scrape.value("p2pedge_offer_seconds_max", label));
                }
            }
            scrape.text().lines().filter(line -> line.startsWith("p2pedge_media_viewer_starts_total")
                    || line.startsWith("p2pedge_media_port_dropped_total") && line.contains("dtls"))
                    .forEach(line -> System.out.println("the edge's " + line));
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    /** "N failovers: p50, p99 and max" of {@code values} (ms). */
    private static String percentiles(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (sorted.length == 0) {
            return "none recorded (a page without the record: an older edge's)";
        }
        return String.format(Locale.ROOT, "%d failovers: p50 %.0f ms, p99 %.0f ms, max %.0f ms", sorted.length, sorted[sorted.length / 2],
                sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1)], sorted[sorted.length - 1]);
    }

    /** The Host Peers, from the admin API on the operators' port. */
    private static JsonArray hosts(int metricsPort) throws Exception {
        HttpResponse<String> response = AdminClient.call(metricsPort, "GET", "/admin/hosts", ADMIN_TOKEN);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("/admin/hosts answered " + response.statusCode() + ": " + response.body());
        }
        return new JsonArray(response.body());
    }
}
