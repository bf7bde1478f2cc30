package p2pedge.bench;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where failovers spend their time, stage by stage, from the player page's record of each failover
 * ({@code window.p2pEdgePlayer.failovers}: epoch milliseconds of each stage, the last two from events: the video
 * track's unmute and its first decoded frame) and the moment the bench closed the host. Each stage's time since the
 * one before it, median and largest over all failovers; a stage the page did not reach has no figure, nor has the
 * stage after it (that failover is counted as incomplete).
 */
final class FailoverStages {

    /** The page's stages in order, each with what its time (since the previous one) is spent on. */
    private static final Map<String, String> STAGES = new LinkedHashMap<>();

    static {
        STAGES.put("stop", "host tab closed -> the edge's stop at the client");
        STAGES.put("request", "stop -> request_offer sent (none when the stop said an offer follows)");
        STAGES.put("offer", "request_offer (or that stop) -> offer received");
        STAGES.put("answer", "offer -> answer sent (remote description set, answer created)");
        STAGES.put("ice", "answer -> ICE connected (local description set, checks)");
        STAGES.put("connected", "ICE -> DTLS done (connection connected)");
        STAGES.put("packet", "DTLS -> first video packet received");
        STAGES.put("decoded", "first video packet -> first frame decoded");
    }

    /** A page told that an offer follows its stop does not ask: the next stage counts from the stop. */
    private static final String OPTIONAL = "request";

    private final Map<String, List<Double>> millis = new LinkedHashMap<>();
    /** Each failover's first decoded frame, ms after the host closed. */
    private final List<Double> decoded = new ArrayList<>();
    /** Each failover's stages as ms after the host closed: printed last, to see which clients met which delays. */
    private final List<String> timelines = new ArrayList<>();
    private int incomplete;

    FailoverStages() {
        STAGES.keySet().forEach(stage -> millis.put(stage, new ArrayList<>()));
    }

    /** One client's failover: the host closed at {@code closedAtMillis} (epoch), the page's record of its stages. */
    void add(long closedAtMillis, JsonObject record) {
        Long previous = closedAtMillis;
        StringBuilder timeline = new StringBuilder();
        for (String stage : STAGES.keySet()) {
            Long at = record.getLong(stage);
            if (at == null && stage.equals(OPTIONAL) && previous != null) {
                continue;
            }
            timeline.append(' ').append(stage).append(' ').append(at == null ? "-" : "+" + (at - closedAtMillis));
            if (at != null && previous != null) {
                millis.get(stage).add((double) (at - previous));
            }
            previous = at; // a stage after a missed one has no figure: its time would include the missed one's
        }
        Long last = record.getLong("decoded");
        if (last != null) {
            decoded.add((double) (last - closedAtMillis));
        }
        if (STAGES.keySet().stream().anyMatch(stage -> !stage.equals(OPTIONAL) && record.getLong(stage) == null)) {
            incomplete++;
        }
        timelines.add(timeline.toString().trim());
    }

    /** The first decoded frame of each failover that reached it, ms after the host closed, in the order added. */
    List<Double> decoded() {
        return decoded;
    }

    void print() {
        System.out.printf(Locale.ROOT, "stages, as the client page saw them (ms since the previous stage; %d failover(s) missed a stage):%n",
                incomplete);
        millis.forEach((stage, values) -> {
            double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            if (sorted.length > 0) {
                System.out.printf(Locale.ROOT, "  %-10s p50 %5.0f  max %5.0f  (%d)  %s%n", stage, sorted[sorted.length / 2],
                        sorted[sorted.length - 1], sorted.length, STAGES.get(stage));
            }
        });
        System.out.println("each failover, ms after its host closed:");
        timelines.forEach(line -> System.out.println("  " + line));
    }
}
