package p2pedge.webrtc;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * One ICE candidate, as players and the edge exchange it ({@code RTCIceCandidateInit}). An empty {@code candidate}
 * is end-of-candidates. A value only: what a player sends is checked by the signalling protocol's parser.
 */
public record IceCandidate(String candidate, Integer sdpMLineIndex, String sdpMid, String usernameFragment) {

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

    public static JsonArray toJson(List<IceCandidate> candidates) {
        JsonArray array = new JsonArray();
        candidates.forEach(c -> array.add(c.toJson()));
        return array;
    }

    /** Reads back what {@link #toJson(List)} wrote (between the edge's own components, already checked). */
    public static List<IceCandidate> fromTrustedJson(JsonArray array) {
        List<IceCandidate> list = new ArrayList<>(array.size());
        for (Object o : array) {
            JsonObject c = (JsonObject) o;
            list.add(new IceCandidate(c.getString("candidate"), c.getInteger("sdpMLineIndex"), c.getString("sdpMid"),
                    c.getString("usernameFragment")));
        }
        return list;
    }
}
