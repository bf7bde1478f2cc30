package p2pedge.media;

import io.vertx.core.json.JsonObject;
import p2pedge.media.rtc.FeedbackStats;

import java.util.Map;
import java.util.TreeMap;

/**
 * The forwarder's answers to viewers' RTCP feedback since start: packets and bytes resent on NACK, NACKed packets
 * refused by reason ({@code repeated}, {@code over_budget}, {@code not_cached}), viewers' keyframe requests
 * honoured and refused.
 */
public record FeedbackCounters(long retransmittedPackets, long retransmittedBytes, Map<String, Long> nackRefused,
                               long keyframeRequestsHonoured, long keyframeRequestsRefused) {

    public static final FeedbackCounters NONE = new FeedbackCounters(0, 0, Map.of(), 0, 0);

    public static FeedbackCounters of(FeedbackStats stats) {
        return new FeedbackCounters(stats.retransmittedPackets(), stats.retransmittedBytes(), stats.nackRefused(),
                stats.keyframeRequestsHonoured(), stats.keyframeRequestsRefused());
    }

    public JsonObject toJson() {
        JsonObject refused = new JsonObject();
        nackRefused.forEach(refused::put);
        return new JsonObject().put("retransmittedPackets", retransmittedPackets).put("retransmittedBytes", retransmittedBytes)
                .put("nackRefused", refused).put("keyframeRequestsHonoured", keyframeRequestsHonoured)
                .put("keyframeRequestsRefused", keyframeRequestsRefused);
    }

    public static FeedbackCounters fromJson(JsonObject json) {
        Map<String, Long> refused = new TreeMap<>();
        json.getJsonObject("nackRefused", new JsonObject()).forEach(e -> refused.put(e.getKey(), ((Number) e.getValue()).longValue()));
        return new FeedbackCounters(json.getLong("retransmittedPackets", 0L), json.getLong("retransmittedBytes", 0L), Map.copyOf(refused),
                json.getLong("keyframeRequestsHonoured", 0L), json.getLong("keyframeRequestsRefused", 0L));
    }
}
