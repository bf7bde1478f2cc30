package p2pedge.signalling.protocol;

import io.vertx.core.json.JsonObject;

/** An SDP offer or answer as the protocol carries it: {@code {"type":"offer","sdp":"v=0..."}}. */
public record SessionDescription(String type, String sdp) {

    /** Far above any real SDP; the frame limit is the outer bound anyway. */
    static final int MAX_SDP_CHARS = 60_000;

    public JsonObject toJson() {
        return new JsonObject().put("type", type).put("sdp", sdp);
    }

    /** Parses and checks a description of the expected type ("offer" or "answer"). */
    public static SessionDescription parse(Object value, String expectedType) throws ProtocolException {
        if (!(value instanceof JsonObject json)) {
            throw ProtocolException.badRequest("sdp must be an object {type, sdp}");
        }
        Object type = json.getValue("type");
        Object sdp = json.getValue("sdp");
        if (!(sdp instanceof String text)) {
            throw ProtocolException.badRequest("sdp.sdp must be a string");
        }
        if (!expectedType.equals(type)) {
            throw ProtocolException.badRequest("sdp.type must be '" + expectedType + "'");
        }
        if (!text.startsWith("v=0") || text.length() > MAX_SDP_CHARS || !text.contains("\nm=")) {
            throw ProtocolException.badRequest("sdp.sdp is not a session description with media");
        }
        return new SessionDescription(expectedType, text);
    }
}
