package p2pedge.signalling.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import p2pedge.config.EdgeConfig.IceServer;
import p2pedge.webrtc.IceCandidate;
import p2pedge.webrtc.SessionDescription;

import java.util.List;

/** The messages the edge sends players, encoded in one place. */
public final class EdgeMessages {

    private EdgeMessages() {
    }

    public static String offer(long id, long peerId, SessionDescription sdp, List<IceCandidate> candidates,
                               List<IceServer> iceServers) {
        return offerJson(id, peerId, sdp, candidates, iceServers).encode();
    }

    /**
     * The edge's own offer. Two extensions OvenPlayer ignores, for the project's page, to a player it may ask to
     * relay: {@code host} (so that it prepares a relay connection ahead, and only then) and {@code bitrate_kbps}, the
     * stream's video bitrate (when known), which its relays are capped at.
     */
    public static String edgeOffer(long id, SessionDescription sdp, List<IceCandidate> candidates, List<IceServer> iceServers,
                                   boolean host, int bitrateKbps) {
        JsonObject json = offerJson(id, 0, sdp, candidates, iceServers);
        if (host) {
            json.put("host", true);
            if (bitrateKbps > 0) {
                json.put("bitrate_kbps", bitrateKbps);
            }
        }
        return json.encode();
    }

    private static JsonObject offerJson(long id, long peerId, SessionDescription sdp, List<IceCandidate> candidates,
                                        List<IceServer> iceServers) {
        JsonArray candidateArray = IceCandidate.toJson(candidates);
        JsonObject json = new JsonObject()
                .put("command", "offer")
                .put("id", id)
                .put("peer_id", peerId)
                .put("code", 200)
                .put("sdp", sdp.toJson())
                .put("candidates", candidateArray);
        // Any ice server makes OvenPlayer relay-only: only send them when configured.
        if (!iceServers.isEmpty()) {
            JsonArray servers = new JsonArray();
            JsonArray legacy = new JsonArray();
            for (IceServer server : iceServers) {
                servers.add(server.toJson());
                // Older players read the reference server's misspelled duplicate.
                JsonObject old = new JsonObject().put("urls", new JsonArray(server.urls()));
                if (server.username() != null) {
                    old.put("user_name", server.username());
                }
                if (server.credential() != null) {
                    old.put("credential", server.credential());
                }
                legacy.add(old);
            }
            json.put("iceServers", servers).put("ice_servers", legacy);
        }
        return json;
    }

    public static String requestOfferP2p(long hostId, long clientId) {
        return new JsonObject().put("command", "request_offer_p2p").put("id", hostId).put("peer_id", clientId).encode();
    }

    public static String answerP2p(long hostId, long clientId, SessionDescription sdp) {
        return new JsonObject().put("command", "answer_p2p").put("id", hostId).put("peer_id", clientId)
                .put("sdp", sdp.toJson()).encode();
    }

    /** Candidates between a host and a client: {@code candidate_p2p} to the host, {@code candidate} to the client. */
    public static String peerCandidates(String command, long id, long peerId, List<IceCandidate> candidates) {
        JsonArray array = IceCandidate.toJson(candidates);
        return new JsonObject().put("command", command).put("id", id).put("peer_id", peerId).put("candidates", array).encode();
    }

    public static String error(int code, String message) {
        return new JsonObject().put("code", code).put("error", message).encode();
    }

    public static String pong() {
        return new JsonObject().put("command", "pong").encode();
    }

    public static String stop(long id, long peerId) {
        return stopMessage(id, peerId).encode();
    }

    private static JsonObject stopMessage(long id, long peerId) {
        return new JsonObject().put("command", "stop").put("id", id).put("peer_id", peerId);
    }

    /**
     * A client's relay from {@code peerId} is over and the edge already places it again: an offer follows unasked
     * (to a player that sent {@code offer_after_stop}). {@code offer_follows} tells it not to ask.
     */
    public static String stopOfferFollows(long id, long peerId) {
        return stopMessage(id, peerId).put("offer_follows", true).encode();
    }

    /** Reply to change_rendition; OvenPlayer reads {@code auto} at the top level, others inside message. */
    public static String renditionChanged(long id, String renditionName, boolean auto) {
        JsonObject message = new JsonObject().put("rendition_name", renditionName).put("auto", auto);
        return new JsonObject()
                .put("command", "notification")
                .put("id", id)
                .put("type", "rendition_changed")
                .put("message", message)
                .put("rendition_name", renditionName)
                .put("auto", auto)
                .encode();
    }
}
