package p2pedge.media;

import io.vertx.core.json.JsonObject;

/**
 * Simulcast on the media plane at one moment: viewers fed a lower layer than their stream's top (their path carries no
 * more, see the forwarding plane's layer selection), the switches of layer made so far, and the padding packets
 * probes sent.
 */
public record LayerCounters(int viewersBelowTop, long switches, long paddingPackets) {

    public static final LayerCounters NONE = new LayerCounters(0, 0, 0);

    public JsonObject toJson() {
        return new JsonObject().put("viewersBelowTop", viewersBelowTop).put("switches", switches).put("paddingPackets", paddingPackets);
    }

    public static LayerCounters fromJson(JsonObject json) {
        return json == null ? NONE : new LayerCounters(json.getInteger("viewersBelowTop", 0), json.getLong("switches", 0L),
                json.getLong("paddingPackets", 0L));
    }
}
