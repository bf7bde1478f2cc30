package p2pedge.media;

import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The media plane of one edge at one moment.
 *
 * @param viewers              media connections the edge serves (players, WHEP players, other edges' pulls)
 * @param streams              streams live here (configured, published, pulled)
 * @param pulls                streams this edge pulls from other edges (JSON {@code relayPulls}, its first name)
 * @param egressBytes          bytes the media plane has sent since it started
 * @param egressBitsPerSecond  its sending rate over the last few seconds
 * @param feedback             what viewers' NACKs and keyframe requests made it do, and what it refused
 * @param portDropped          datagrams the media port dropped since it started, by reason
 * @param tcpConnections       ICE-TCP connections open on the media port (players whose network drops UDP)
 * @param layers               simulcast: viewers below their stream's top layer, switches, probes' padding
 * @param sourceRecovery       video lost on the way from the sources: asked for again, recovered, given up
 * @param forwardDelays        how long source packets stayed in the edge before every viewer's copy was sent
 */
public record MediaSnapshot(int viewers, int streams, int pulls, long egressBytes, double egressBitsPerSecond,
                            FeedbackCounters feedback, Map<String, Long> portDropped, int tcpConnections, LayerCounters layers,
                            SourceRecovery sourceRecovery, ForwardDelays forwardDelays) {

    /** A plane that answers no RTCP feedback itself (the per-viewer plane: libwebrtc does). */
    public MediaSnapshot(int viewers, int streams, int pulls, long egressBytes, double egressBitsPerSecond) {
        this(viewers, streams, pulls, egressBytes, egressBitsPerSecond, FeedbackCounters.NONE, Map.of(), 0, LayerCounters.NONE,
                SourceRecovery.NONE, ForwardDelays.NONE);
    }

    public JsonObject toJson() {
        return new JsonObject().put("viewers", viewers).put("streams", streams).put("relayPulls", pulls)
                .put("egressBytes", egressBytes).put("egressBitsPerSecond", egressBitsPerSecond).put("feedback", feedback.toJson())
                .put("portDropped", new JsonObject(new HashMap<>(portDropped))).put("tcpConnections", tcpConnections)
                .put("layers", layers.toJson()).put("sourceRecovery", sourceRecovery.toJson())
                .put("forwardDelays", forwardDelays.toJson());
    }

    public static MediaSnapshot fromJson(JsonObject json) {
        return new MediaSnapshot(json.getInteger("viewers"), json.getInteger("streams"), json.getInteger("relayPulls"),
                json.getLong("egressBytes"), json.getDouble("egressBitsPerSecond"),
                FeedbackCounters.fromJson(json.getJsonObject("feedback", new JsonObject())), droppedFrom(json.getJsonObject("portDropped")),
                json.getInteger("tcpConnections", 0), LayerCounters.fromJson(json.getJsonObject("layers")),
                SourceRecovery.fromJson(json.getJsonObject("sourceRecovery")),
                ForwardDelays.fromJson(json.getJsonObject("forwardDelays")));
    }

    private static Map<String, Long> droppedFrom(JsonObject json) {
        Map<String, Long> out = new TreeMap<>();
        if (json != null) {
            json.forEach(e -> out.put(e.getKey(), ((Number) e.getValue()).longValue()));
        }
        return out;
    }
}
