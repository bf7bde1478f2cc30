package p2pedge.signalling.protocol;

import io.vertx.core.json.JsonObject;

import java.util.regex.Pattern;

/**
 * One ICE candidate as the protocol carries it. An empty {@code candidate} is end-of-candidates.
 */
public record IceCandidate(String candidate, Integer sdpMLineIndex, String sdpMid, String usernameFragment) {

    // RFC 8839 candidate-attribute, loosely: foundation component transport priority address port typ type ...
    private static final Pattern SYNTAX = Pattern.compile(
            "candidate:[!-~]{1,32} \\d{1,3} (udp|tcp|UDP|TCP) \\d{1,10} [0-9A-Za-z.:_%\\-\\[\\]]{1,255} \\d{1,5} typ (host|srflx|prflx|relay)( [ -~]*)?");
    private static final int MAX_CHARS = 1024;

    public boolean endOfCandidates() {
        return candidate.isEmpty();
    }

    public JsonObject toJson() {
        JsonObject json = new JsonObject().put("candidate", candidate);
        if (sdpMLineIndex != null) {
            json.put("sdpMLineIndex", sdpMLineIndex);
        }
        // The reference omits an empty sdpMid; some players choke on "".
        if (sdpMid != null && !sdpMid.isEmpty()) {
            json.put("sdpMid", sdpMid);
        }
        if (usernameFragment != null) {
            json.put("usernameFragment", usernameFragment);
        }
        return json;
    }

    public static io.vertx.core.json.JsonArray toJson(java.util.List<IceCandidate> candidates) {
        io.vertx.core.json.JsonArray array = new io.vertx.core.json.JsonArray();
        candidates.forEach(c -> array.add(c.toJson()));
        return array;
    }

    /** Reads back candidates this edge encoded itself (already checked when they came from a player). */
    public static java.util.List<IceCandidate> fromTrustedJson(io.vertx.core.json.JsonArray array) {
        java.util.List<IceCandidate> list = new java.util.ArrayList<>(array.size());
        for (Object o : array) {
            JsonObject c = (JsonObject) o;
            list.add(new IceCandidate(c.getString("candidate"), c.getInteger("sdpMLineIndex"), c.getString("sdpMid"),
                    c.getString("usernameFragment")));
        }
        return list;
    }

    public static IceCandidate parse(Object value) throws ProtocolException {
        if (!(value instanceof JsonObject json)) {
            throw ProtocolException.badRequest("each candidate must be an object");
        }
        Object candidate = json.getValue("candidate");
        if (!(candidate instanceof String text)) {
            throw ProtocolException.badRequest("candidate.candidate must be a string");
        }
        if (text.startsWith("a=")) {
            text = text.substring(2);
        }
        if (!text.isEmpty() && (text.length() > MAX_CHARS || !SYNTAX.matcher(text).matches())) {
            throw ProtocolException.badRequest("candidate is not a valid ICE candidate line");
        }
        Object index = json.getValue("sdpMLineIndex");
        Integer mLineIndex = null;
        if (index != null) {
            if (!(index instanceof Number n) || n.doubleValue() != n.intValue() || n.intValue() < 0 || n.intValue() > 63) {
                throw ProtocolException.badRequest("candidate.sdpMLineIndex must be an integer in [0, 63]");
            }
            mLineIndex = n.intValue();
        }
        String mid = optionalShortString(json, "sdpMid");
        if (!text.isEmpty() && mLineIndex == null && (mid == null || mid.isEmpty())) {
            throw ProtocolException.badRequest("candidate needs sdpMLineIndex or sdpMid");
        }
        return new IceCandidate(text, mLineIndex, mid, optionalShortString(json, "usernameFragment"));
    }

    private static String optionalShortString(JsonObject json, String key) throws ProtocolException {
        Object value = json.getValue(key);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s) || s.length() > 256) {
            throw ProtocolException.badRequest("candidate." + key + " must be a short string");
        }
        return s;
    }
}
