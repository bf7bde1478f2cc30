package p2pedge.media;

import io.vertx.core.json.JsonObject;
import p2pedge.media.rtc.FeedbackStats;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The forwarder's answers to viewers' RTCP feedback since start: packets and bytes resent on NACK, NACKed packets
 * refused by reason ({@code repeated}, {@code over_budget}, {@code not_cached}), viewers' keyframe requests
 * honoured and refused, and where players' video started ({@code recent_keyframe}, {@code next_keyframe}).
 */
public record FeedbackCounters(long retransmittedPackets, long retransmittedBytes, Map<String, Long> nackRefused,
                               long keyframeRequestsHonoured, long keyframeRequestsRefused, Map<String, Long> viewerStarts) {

    public static final FeedbackCounters NONE = new FeedbackCounters(0, 0, Map.of(), 0, 0, Map.of());

    public static FeedbackCounters of(FeedbackStats stats) {
        return new FeedbackCounters(stats.retransmittedPackets(), stats.retransmittedBytes(), stats.nackRefused(),
                stats.keyframeRequestsHonoured(), stats.keyframeRequestsRefused(), stats.viewerStarts());
    }

    public JsonObject toJson() {
        return new JsonObject().put("retransmittedPackets", retransmittedPackets).put("retransmittedBytes", retransmittedBytes)
                .put("nackRefused", new JsonObject(new HashMap<String, Object>(nackRefused))).put("keyframeRequestsHonoured", keyframeRequestsHonoured)
                .put("keyframeRequestsRefused", keyframeRequestsRefused).put("viewerStarts", new JsonObject(new HashMap<String, Object>(viewerStarts)));
    }

    public static FeedbackCounters fromJson(JsonObject json) {
        return new FeedbackCounters(json.getLong("retransmittedPackets", 0L), json.getLong("retransmittedBytes", 0L),
                counts(json.getJsonObject("nackRefused")), json.getLong("keyframeRequestsHonoured", 0L),
                json.getLong("keyframeRequestsRefused", 0L), counts(json.getJsonObject("viewerStarts")));
    }

    private static Map<String, Long> counts(JsonObject json) {
        Map<String, Long> counts = new TreeMap<>();
        if (json != null) {
            json.forEach(e -> counts.put(e.getKey(), ((Number) e.getValue()).longValue()));
        }
        return Map.copyOf(counts);
    }
}
