package p2pedge.metrics;

import io.vertx.core.json.JsonObject;

/**
 * The media plane of one edge at one moment.
 *
 * @param viewers              media connections the edge serves (players, WHEP players, other edges' pulls)
 * @param streams              streams live here (configured, published, relayed)
 * @param relayPulls           streams this edge pulls from other edges
 * @param egressBytes          bytes the media plane has sent since it started
 * @param egressBitsPerSecond  its sending rate over the last few seconds
 */
public record MediaSnapshot(int viewers, int streams, int relayPulls, long egressBytes, double egressBitsPerSecond) {

    public JsonObject toJson() {
        return new JsonObject().put("viewers", viewers).put("streams", streams).put("relayPulls", relayPulls)
                .put("egressBytes", egressBytes).put("egressBitsPerSecond", egressBitsPerSecond);
    }

    public static MediaSnapshot fromJson(JsonObject json) {
        return new MediaSnapshot(json.getInteger("viewers"), json.getInteger("streams"), json.getInteger("relayPulls"),
                json.getLong("egressBytes"), json.getDouble("egressBitsPerSecond"));
    }
}
