package p2pedge.signalling;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * Signalling between edges of a cluster: each edge's signalling verticle listens at its own address, and a
 * relay whose host and client sockets are on different edges is carried by messages to those addresses.
 * Sends are bounded by a short timeout: a request to an edge that just died must not wait 30 s.
 */
final class EdgeLink {

    /** Message kinds. */
    static final String HOST_REQUEST = "host-request";   // client's edge -> host's edge: ask the host to offer
    static final String TO_HOST = "to-host";             // client's edge -> host's edge: a message for the host
    static final String OFFER = "offer";                 // host's edge -> client's edge: the host's offer
    static final String CANDIDATES = "candidates";       // host's edge -> client's edge: the host's candidates
    static final String HOST_STOPPED = "host-stopped";   // host's edge -> client's edge: the host ended the relay
    static final String HOST_LEFT = "host-left";         // host's edge -> client's edge: the host is gone

    private static final long TIMEOUT_MS = 2_000;

    private final EventBus bus;
    private final String edgeId;
    private final DeliveryOptions options = new DeliveryOptions().setSendTimeout(TIMEOUT_MS);

    EdgeLink(EventBus bus, String edgeId) {
        this.bus = bus;
        this.edgeId = edgeId;
    }

    static String address(String edgeId) {
        return "p2pedge.signalling.edge." + edgeId;
    }

    String edgeId() {
        return edgeId;
    }

    MessageConsumer<JsonObject> listen(Handler<Message<JsonObject>> handler) {
        return bus.consumer(address(edgeId), handler);
    }

    /** Sends and waits for the other edge to accept (used where a refusal changes what this edge does). */
    Future<Void> request(String edge, String kind, long host, long client, JsonObject body) {
        return bus.request(address(edge), envelope(kind, host, client, body), options).mapEmpty();
    }

    void send(String edge, String kind, long host, long client, JsonObject body) {
        bus.send(address(edge), envelope(kind, host, client, body), options);
    }

    private JsonObject envelope(String kind, long host, long client, JsonObject body) {
        return body.copy().put("kind", kind).put("host", host).put("client", client).put("from", edgeId);
    }
}
