package p2pedge.webrtc;

import io.vertx.core.json.JsonObject;

/**
 * An SDP offer or answer: {@code {"type":"offer","sdp":"v=0..."}}. A value only: what a player sends is checked by
 * the signalling protocol's parser.
 */
public record SessionDescription(String type, String sdp) {

    public JsonObject toJson() {
        return new JsonObject().put("type", type).put("sdp", sdp);
    }

    /** Reads back what {@link #toJson()} wrote (between the edge's own components, already checked). */
    public static SessionDescription fromTrustedJson(JsonObject json) {
        return new SessionDescription(json.getString("type"), json.getString("sdp"));
    }
}
