package p2pedge.signalling;

import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import p2pedge.webrtc.IceCandidate;
import p2pedge.webrtc.SessionDescription;

import java.util.List;

/**
 * Signalling between edges of a cluster: each edge's signalling verticle listens at its own address, and a
 * relay whose host and client sockets are on different edges is carried by messages to those addresses.
 * Sends are bounded by a short timeout: a request to an edge that just died must not wait 30 s.
 */
final class EdgeLink {

    /** Message kinds. */
    static final String TO_HOST = "to-host";             // client's edge -> host's edge: a message for the host
    static final String OFFER = "offer";                 // host's edge -> client's edge: the host's offer
    static final String CANDIDATES = "candidates";       // host's edge -> client's edge: the host's candidates
    static final String HOST_STOPPED = "host-stopped";   // host's edge -> client's edge: the host ended the relay
    static final String HOST_LEFT = "host-left";         // host's edge -> client's edge: the host is gone
    static final String HOST_GONE = "host-gone";         // host's edge -> client's edge: the host was gone when granted

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

    private void send(String edge, String kind, long host, long client, JsonObject body) {
        bus.send(address(edge), envelope(kind, host, client, body), options);
    }

    /** What a host here said, for its client's edge: OFFER (sdp and candidates), CANDIDATES, HOST_STOPPED, HOST_LEFT, HOST_GONE. */
    void toClientEdge(String edge, String kind, long host, long client, SessionDescription sdp, List<IceCandidate> candidates) {
        JsonObject body = new JsonObject();
        if (sdp != null) {
            body.put("sdp", sdp.toJson());
        }
        if (candidates != null) {
            body.put("candidates", IceCandidate.toJson(candidates));
        }
        send(edge, kind, host, client, body);
    }

    /** A text for a host on {@code edge}; {@code endsRelay}: that edge forgets the pairing. */
    void toHost(String edge, long host, long client, String text, boolean endsRelay) {
        send(edge, TO_HOST, host, client, new JsonObject().put("text", text).put("end", endsRelay));
    }

    /** A message from another edge, decoded (fields a kind does not carry are null). */
    record Received(String kind, long host, long client, String from, String text, boolean endsRelay,
                    SessionDescription sdp, List<IceCandidate> candidates) {

        static Received of(JsonObject body) {
            JsonObject sdp = body.getJsonObject("sdp");
            JsonArray candidates = body.getJsonArray("candidates");
            return new Received(body.getString("kind"), body.getLong("host"), body.getLong("client"), body.getString("from"),
                    body.getString("text"), body.getBoolean("end", false),
                    sdp == null ? null : SessionDescription.fromTrustedJson(sdp),
                    candidates == null ? null : IceCandidate.fromTrustedJson(candidates));
        }
    }

    private JsonObject envelope(String kind, long host, long client, JsonObject body) {
        return body.copy().put("kind", kind).put("host", host).put("client", client).put("from", edgeId);
    }
}
