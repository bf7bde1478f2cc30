package p2pedge.cluster.events;

import io.vertx.core.json.JsonObject;

/**
 * A slot of {@code host} (a player of this edge) held by {@code client}, a player of {@code clientEdge}: the body of
 * {@link ClusterEvents#SLOT_GRANTED} and {@link ClusterEvents#SLOT_RELEASED}. Encoded and decoded only here.
 */
public record RemoteSlot(long host, long client, String clientEdge) {

    public JsonObject toJson() {
        return new JsonObject().put("host", host).put("client", client).put("clientEdge", clientEdge);
    }

    public static RemoteSlot fromJson(JsonObject json) {
        return new RemoteSlot(json.getLong("host"), json.getLong("client"), json.getString("clientEdge"));
    }
}
