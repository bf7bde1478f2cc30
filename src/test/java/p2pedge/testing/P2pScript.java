package p2pedge.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The P2P message flow played by synthetic players with fake SDP (the edge only carries P2P SDP). */
public final class P2pScript {

    public static final String CHROME_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
            + "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    public static final String FAKE_OFFER = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n";
    public static final String FAKE_ANSWER = "v=0\r\no=- 2 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n";
    public static final JsonObject CANDIDATE = new JsonObject()
            .put("candidate", "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host").put("sdpMLineIndex", 0);

    private P2pScript() {
    }

    public static JsonObject sdp(String type, String text) {
        return new JsonObject().put("type", type).put("sdp", text);
    }

    /** request_offer answered by the edge itself; returns the session id. */
    public static long servedByEdge(SignallingClient player) throws Exception {
        JsonObject offer = player.requestOffer();
        assertEquals(0, offer.getLong("peer_id"), "served by the edge: " + offer.encode());
        return offer.getLong("id");
    }

    /** request_offer from a client; its host is asked to offer; returns the client's id. */
    public static long placedOn(SignallingClient client, SignallingClient host, long hostId) throws Exception {
        client.send(new JsonObject().put("command", "request_offer"));
        JsonObject request = host.expect("request_offer_p2p");
        assertEquals(hostId, request.getLong("id"));
        return request.getLong("peer_id");
    }

    /** The host offers, the client answers: a complete relay set-up through the edge(s). */
    public static void relay(SignallingClient host, long hostId, SignallingClient client, long clientId) throws Exception {
        host.send(new JsonObject().put("command", "offer_p2p").put("id", hostId).put("peer_id", clientId)
                .put("sdp", sdp("offer", FAKE_OFFER)).put("candidates", new JsonArray().add(CANDIDATE)));
        JsonObject offer = client.expect("offer");
        assertEquals(clientId, offer.getLong("id"));
        assertEquals(hostId, offer.getLong("peer_id"));
        assertEquals(FAKE_OFFER, offer.getJsonObject("sdp").getString("sdp"));
        assertEquals(1, offer.getJsonArray("candidates").size());
        client.send(new JsonObject().put("command", "answer").put("id", clientId).put("peer_id", hostId)
                .put("sdp", sdp("answer", FAKE_ANSWER)));
        JsonObject answer = host.expect("answer_p2p");
        assertEquals(hostId, answer.getLong("id"));
        assertEquals(clientId, answer.getLong("peer_id"));
        assertEquals(FAKE_ANSWER, answer.getJsonObject("sdp").getString("sdp"));
    }
}
