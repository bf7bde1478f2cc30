package p2pedge.media;

import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.TreeMap;

/**
 * What the media plane did about video its sources lost on the way to it: packets it asked publishers to send again
 * (publishers, or the edge a stream is pulled from; each request counted), those that came, those given up (unanswered,
 * or too far behind to be of use), and late packets a viewer's numbering had moved past (not sent to it); and each
 * stream's source round trip as the answers to those requests measure it (ms; a stream whose source has answered none
 * is absent).
 */
public record SourceRecovery(long requested, long recovered, long abandoned, long unplaceable,
                             Map<String, Double> roundTripMillis) {

    public static final SourceRecovery NONE = new SourceRecovery(0, 0, 0, 0, Map.of());

    public SourceRecovery {
        roundTripMillis = Map.copyOf(roundTripMillis);
    }

    public JsonObject toJson() {
        JsonObject roundTrips = new JsonObject();
        new TreeMap<>(roundTripMillis).forEach(roundTrips::put);
        return new JsonObject().put("requested", requested).put("recovered", recovered).put("abandoned", abandoned)
                .put("unplaceable", unplaceable).put("roundTripMillis", roundTrips);
    }

    public static SourceRecovery fromJson(JsonObject json) {
        if (json == null) {
            return NONE;
        }
        Map<String, Double> roundTrips = new TreeMap<>();
        json.getJsonObject("roundTripMillis", new JsonObject())
                .forEach(e -> roundTrips.put(e.getKey(), ((Number) e.getValue()).doubleValue()));
        return new SourceRecovery(json.getLong("requested", 0L), json.getLong("recovered", 0L),
                json.getLong("abandoned", 0L), json.getLong("unplaceable", 0L), roundTrips);
    }
}
