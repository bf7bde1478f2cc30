package p2pedge.media;

import io.vertx.core.json.JsonObject;

/**
 * What the media plane did about video its sources lost on the way to it: packets it asked publishers to send again
 * (publishers, or the edge a stream is pulled from; each request counted), those that came, those given up (unanswered, or too far behind to be of use), and late
 * packets a viewer's numbering had moved past (not sent to it).
 */
public record SourceRecovery(long requested, long recovered, long abandoned, long unplaceable) {

    public static final SourceRecovery NONE = new SourceRecovery(0, 0, 0, 0);

    public JsonObject toJson() {
        return new JsonObject().put("requested", requested).put("recovered", recovered).put("abandoned", abandoned)
                .put("unplaceable", unplaceable);
    }

    public static SourceRecovery fromJson(JsonObject json) {
        return json == null ? NONE : new SourceRecovery(json.getLong("requested", 0L), json.getLong("recovered", 0L),
                json.getLong("abandoned", 0L), json.getLong("unplaceable", 0L));
    }
}
