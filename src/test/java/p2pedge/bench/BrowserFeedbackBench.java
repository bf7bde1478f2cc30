package p2pedge.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import p2pedge.testing.AdminClient;
import p2pedge.testing.Chromium;
import p2pedge.testing.LoadViewer;
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
 * How often a real browser sends transport-wide feedback (TWCC) to the edge: the pace that sets what each twcc viewer
 * costs the edge's receive path, and that the load client's viewers copy (LoadViewer.FEEDBACK_INTERVAL_MS). One edge
 * process with congestionFeedback twcc; ROUNDS times a fresh headless Chromium opens the player page, and once it
 * decodes the edge's count of that viewer's feedback messages is read every second for SECONDS seconds (the admin
 * API's leg). Prints each second's interval (p10, median, p90) and each round's mean, then the median and spread
 * of the rounds.
 * Environment: ROUNDS (default 3), SECONDS (20).
 */
public final class BrowserFeedbackBench {

    private static final String ADMIN_TOKEN = "bench-" + java.util.UUID.randomUUID();

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "target/p2p-edge.jar");
        int rounds = Integer.parseInt(System.getenv().getOrDefault("ROUNDS", "3"));
        int seconds = Integer.parseInt(System.getenv().getOrDefault("SECONDS", "20"));
        int metricsPort = Waits.freePort();
        Vertx vertx = Vertx.vertx();
        List<Double> roundMeans = new ArrayList<>();
        try (EdgeProcess edge = EdgeProcess.start(jar, Map.of("metrics.port", Integer.toString(metricsPort),
                "metrics.adminToken", ADMIN_TOKEN, "media.forwarder.congestionFeedback", "twcc"),
                Path.of("target/bench-feedback-edge.log"))) {
            System.out.printf(Locale.ROOT, "one edge process (congestionFeedback twcc); %d rounds of a fresh headless Chromium "
                    + "playing the player page; the edge's count of its transport-wide feedback read every second for %d s%n",
                    rounds, seconds);
            String url = "http://127.0.0.1:" + edge.port() + "/?stream=app/stream";
            for (int round = 1; round <= rounds; round++) {
                try (Chromium chromium = Chromium.launch(vertx, Chromium.LOOPBACK_WEBRTC_FLAGS)) {
                    Chromium.Page page = chromium.open(url);
                    page.waitUntil("window.p2pEdgePlayer.framesDecoded > 30", Duration.ofSeconds(20), "the page plays");
                    String id = String.valueOf(((Number) page.eval("window.p2pEdgePlayer.id")).longValue());
                    Waits.until(() -> feedbacks(metricsPort, id) > 0, 10_000, "the edge counts the page's feedback");
                    Thread.sleep(2_000); // past the start, when the page's estimate of the path is still moving
                    List<Double> perSecond = new ArrayList<>();
                    long first = feedbacks(metricsPort, id);
                    long firstAt = System.nanoTime();
                    long last = first;
                    long lastAt = firstAt;
                    for (int s = 0; s < seconds; s++) {
                        Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(firstAt + (s + 1) * 1_000_000_000L - System.nanoTime())));
                        long count = feedbacks(metricsPort, id);
                        long at = System.nanoTime();
                        if (count > last) {
                            perSecond.add((at - lastAt) / 1e6 / (count - last));
                        }
                        last = count;
                        lastAt = at;
                    }
                    if (last == first) {
                        throw new IllegalStateException("round " + round + ": no transport-wide feedback in " + seconds + " s");
                    }
                    double mean = (lastAt - firstAt) / 1e6 / (last - first);
                    roundMeans.add(mean);
                    double[] sorted = perSecond.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                    System.out.printf(Locale.ROOT, "round %d: %d messages in %.1f s, every %.1f ms (each second's: p10 %.1f, "
                                    + "median %.1f, p90 %.1f ms)%n", round, last - first, (lastAt - firstAt) / 1e9, mean,
                            sorted[sorted.length / 10], sorted[sorted.length / 2], sorted[sorted.length * 9 / 10]);
                }
            }
            Spread spread = Spread.of(roundMeans);
            System.out.printf(Locale.ROOT, "Chromium's transport-wide feedback: every %.1f ms, median of %d rounds (%.1f .. %.1f); "
                    + "the load client's viewers send it every %d ms (LoadViewer.FEEDBACK_INTERVAL_MS)%n",
                    spread.median(), roundMeans.size(), spread.min(), spread.max(), LoadViewer.FEEDBACK_INTERVAL_MS);
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    /** How many transport-wide feedback messages the edge has had from player {@code id} (its leg in the admin API). */
    private static long feedbacks(int metricsPort, String id) throws Exception {
        HttpResponse<String> response = AdminClient.call(metricsPort, "GET", "/admin/overview", ADMIN_TOKEN);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("/admin/overview answered " + response.statusCode() + ": " + response.body());
        }
        for (Object peer : new JsonObject(response.body()).getJsonArray("peers", new JsonArray())) {
            JsonObject leg = ((JsonObject) peer).getJsonObject("leg");
            if (id.equals(String.valueOf(((JsonObject) peer).getValue("id"))) && leg != null) {
                return leg.getLong("transportFeedbacks", 0L);
            }
        }
        return 0;
    }
}
