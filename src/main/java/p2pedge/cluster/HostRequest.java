package p2pedge.cluster;

import io.vertx.core.json.JsonObject;
import p2pedge.p2p.HealthEvent;
import p2pedge.p2p.HostHealth;

/**
 * What one edge asks of the edge that owns a host (the edge holding the host's socket, which alone changes the
 * host's slots): take a slot, give one back, or apply a health event. Parsed and written only here.
 *
 * @param clientEdge for {@link Op#RESERVE} and {@link Op#RELEASE}: the edge holding the client's socket (the one asking)
 * @param event      for {@link Op#HEALTH}
 */
record HostRequest(Op op, long host, long client, String clientEdge, HealthEvent event) {

    enum Op { RESERVE, RELEASE, HEALTH }

    static HostRequest reserve(long host, long client, String clientEdge) {
        return new HostRequest(Op.RESERVE, host, client, clientEdge, null);
    }

    static HostRequest release(long host, long client, String clientEdge) {
        return new HostRequest(Op.RELEASE, host, client, clientEdge, null);
    }

    static HostRequest health(long host, HealthEvent event) {
        return new HostRequest(Op.HEALTH, host, 0, null, event);
    }

    /** The address on which the edge {@code edgeId} answers for its hosts. */
    static String address(String edgeId) {
        return "p2pedge.hosts." + edgeId;
    }

    JsonObject toJson() {
        JsonObject json = new JsonObject().put("op", op.name()).put("host", host).put("client", client);
        if (clientEdge != null) {
            json.put("clientEdge", clientEdge);
        }
        if (event != null) {
            JsonObject e = new JsonObject().put("kind", event.kind().name()).put("millis", event.millis()).put("kbps", event.kbps());
            HostHealth.RelayReport r = event.report();
            if (r != null) {
                e.put("witness", r.witness()).put("connected", r.connected()).put("at", r.atMillis());
            }
            json.put("event", e);
        }
        return json;
    }

    /** From another edge of the cluster (a trusted network): a malformed request throws. */
    static HostRequest fromJson(JsonObject json) {
        JsonObject e = json.getJsonObject("event");
        HealthEvent event = null;
        if (e != null) {
            HostHealth.RelayReport report = e.containsKey("witness")
                    ? new HostHealth.RelayReport(e.getString("witness"), e.getBoolean("connected"), e.getLong("at")) : null;
            event = new HealthEvent(HealthEvent.Kind.valueOf(e.getString("kind")), e.getLong("millis"), e.getInteger("kbps"), report);
        }
        return new HostRequest(Op.valueOf(json.getString("op")), json.getLong("host"), json.getLong("client"),
                json.getString("clientEdge"), event);
    }
}
