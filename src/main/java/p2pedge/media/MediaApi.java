package p2pedge.media;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import p2pedge.bus.InProcess;
import p2pedge.webrtc.IceCandidate;
import p2pedge.webrtc.SessionDescription;

import java.util.List;

/**
 * The media verticle's event-bus contract: addresses, message shapes (encoded and decoded only here) and a
 * client for the signalling side. Failures come back as {@link io.vertx.core.eventbus.ReplyException}s whose
 * failure code is the protocol error code to hand the player (400, 404, 500, 503).
 */
public final class MediaApi {

    public static final String OFFER = "p2pedge.media.offer";
    public static final String ANSWER = "p2pedge.media.answer";
    public static final String CANDIDATES = "p2pedge.media.candidates";
    public static final String CLOSE = "p2pedge.media.close";
    public static final String STREAM_EXISTS = "p2pedge.media.stream-exists";
    /** A WHIP publisher's offer for a stream name: replies {"sdp": answer, "resource": id}; fails 409 if live, 400 if unusable. */
    public static final String PUBLISH = "p2pedge.media.publish";
    /** Ends a published stream by its stream name and resource id ({"stream", "resource"}): replies, or fails 404 unless that resource publishes that stream. */
    public static final String UNPUBLISH = "p2pedge.media.unpublish";
    /** A WHEP player's offer for a stream: replies {"sdp": answer, "resource": id}; fails 404, 400 or 503. */
    public static final String PLAY = "p2pedge.media.play";
    /** Ends a WHEP player's session by its stream name and resource id ({"stream", "resource"}): replies, or fails 404 unless that resource plays that stream. */
    public static final String STOP_PLAYING = "p2pedge.media.stop-playing";
    /** Replies with {@link MediaSnapshot#toJson()}: viewers, streams, egress, feedback, the port's drops. */
    public static final String SNAPSHOT = "p2pedge.media.snapshot";
    /** Replies with the live streams as a JSON array (name, source, media connections). */
    public static final String STREAMS = "p2pedge.media.streams";
    /** Replies with each viewer's edge leg, {session: {@link ViewerLeg}} (the forwarding plane's; the other has none). */
    public static final String VIEWER_LEGS = "p2pedge.media.viewer-legs";
    /** Replies with the number of live edge connections (monitoring, leak checks). */
    public static final String CONNECTIONS = "p2pedge.media.connections";
    /** Published (body: the session id) when a viewer's edge connection reaches connected: media flows. */
    public static final String CONNECTED = "p2pedge.media.connected";
    /** Published when an edge connection ends on its own (ICE/DTLS failure, connect timeout). */
    public static final String CONNECTION_LOST = "p2pedge.media.connection-lost";
    /** A player address opened ({"address", "open": true}) or closed a signalling socket: its STUN requests are answered while it holds one. */
    public static final String STUN_ADMISSION = "p2pedge.media.stun-admission";
    /** Replies with the edge's STUN servers for players as a JSON array of URLs (empty: none on this plane). */
    public static final String STUN_SERVERS = "p2pedge.media.stun-servers";
    /** {"address"}: replies with what the edge's STUN ports answered that address lately, [{"server", "port"}]. */
    public static final String STUN_ANSWERS = "p2pedge.media.stun-answers";

    /**
     * One viewer's edge leg as the edge sees it: the layer it is fed (0 lowest; -1 none yet) of the {@code layers} its
     * stream sends, its layer switches, what its receiver estimates its path carries (REMB, kbit/s; -1: none) and what
     * its transport-wide feedback says reached it (kbit/s and lost %; -1: none), the rate its path's narrowest link was
     * measured at and the rate it is paced at (kbit/s; -1: not measured, not paced), and how many transport-wide
     * feedback messages it has sent (0 without TWCC): their pace is what each viewer costs the edge's receive path.
     */
    public record ViewerLeg(int layer, int layers, long switches, long estimateKbps, long deliveredKbps, double lossPercent,
                            long bottleneckKbps, long pacedKbps, long transportFeedbacks) {
        public JsonObject toJson() {
            return new JsonObject().put("layer", layer).put("layers", layers).put("switches", switches)
                    .put("estimateKbps", estimateKbps).put("deliveredKbps", deliveredKbps).put("lossPercent", lossPercent)
                    .put("bottleneckKbps", bottleneckKbps).put("pacedKbps", pacedKbps).put("transportFeedbacks", transportFeedbacks);
        }
    }

    /** A Binding request the edge's STUN answered: at its port {@code server}, from the player's port {@code port}. */
    public record StunAnswer(int server, int port) {
        public JsonObject toJson() {
            return new JsonObject().put("server", server).put("port", port);
        }

        static StunAnswer fromJson(JsonObject json) {
            return new StunAnswer(json.getInteger("server"), json.getInteger("port"));
        }
    }

    /**
     * What the edge offers a viewer: SDP without candidates, the candidates to announce, and the stream's video
     * bitrate in kbit/s (what its source announced, else what it measured; 0: not known yet), which a Host Peer's
     * relays are capped at.
     */
    public record Offer(SessionDescription sdp, List<IceCandidate> candidates, int bitrateKbps) {
        public JsonObject toJson() {
            return new JsonObject().put("sdp", sdp.toJson()).put("candidates", encode(candidates)).put("bitrateKbps", bitrateKbps);
        }

        static Offer fromJson(JsonObject json) {
            JsonObject sdp = json.getJsonObject("sdp");
            return new Offer(SessionDescription.fromTrustedJson(sdp),
                    decode(json.getJsonArray("candidates")), json.getInteger("bitrateKbps", 0));
        }
    }

    /** An edge connection that ended without the player asking. */
    /** The edge's answer to an HTTP offer (WHIP publisher, WHEP player) and the id of the session's resource. */
    public record Answered(String sdp, String resource) {
    }

    /**
     * @param code the protocol error to hand the player: {@link #OFFER_NOT_ANSWERED} for an offer that was never
     *             answered, else 502 (ICE/DTLS failure, connect timeout, stream ended)
     */
    public record ConnectionLost(long session, int code, String reason) {
        public ConnectionLost(long session, String reason) {
            this(session, 502, reason);
        }

        public static ConnectionLost fromJson(JsonObject json) {
            return new ConnectionLost(json.getLong("session"), json.getInteger("code", 502), json.getString("reason"));
        }

        public JsonObject toJson() {
            return new JsonObject().put("session", session).put("code", code).put("reason", reason);
        }
    }

    /** The error code of a connection lost because its offer was not answered within the connect timeout. */
    public static final int OFFER_NOT_ANSWERED = 408;

    private final EventBus bus;
    private final DeliveryOptions options;

    public MediaApi(EventBus bus, long timeoutMillis) {
        this.bus = bus;
        this.options = InProcess.within(timeoutMillis);
    }

    /**
     * An offer for a player of {@code stream}. It does not depend on the player's role, so it may be asked for while
     * the player is still being placed (after a stop) and dropped with {@link #close} if the player plays from a host.
     */
    public Future<Offer> offer(long session, String stream) {
        JsonObject body = new JsonObject().put("session", session).put("stream", stream);
        return bus.<JsonObject>request(OFFER, body, options).map(m -> Offer.fromJson(m.body()));
    }

    /**
     * The player's answer; a Host Peer ({@code host}) re-encodes what it gets for its clients, so it always gets the
     * stream's top layer, whatever its own path.
     */
    public Future<Void> answer(long session, SessionDescription sdp, boolean host) {
        JsonObject body = new JsonObject().put("session", session).put("sdp", sdp.toJson()).put("host", host);
        return bus.request(ANSWER, body, options).mapEmpty();
    }

    public Future<Void> candidates(long session, List<IceCandidate> candidates) {
        JsonObject body = new JsonObject().put("session", session).put("candidates", encode(candidates));
        return bus.request(CANDIDATES, body, options).mapEmpty();
    }

    public Future<Void> close(long session) {
        return bus.request(CLOSE, new JsonObject().put("session", session), options).mapEmpty();
    }

    public Future<Answered> publish(String stream, String offerSdp) {
        return answered(PUBLISH, stream, offerSdp);
    }

    public Future<Void> unpublish(String stream, String resource) {
        return bus.request(UNPUBLISH, new JsonObject().put("stream", stream).put("resource", resource), options).mapEmpty();
    }

    public Future<Answered> play(String stream, String offerSdp) {
        return answered(PLAY, stream, offerSdp);
    }

    public Future<Void> stopPlaying(String stream, String resource) {
        return bus.request(STOP_PLAYING, new JsonObject().put("stream", stream).put("resource", resource), options).mapEmpty();
    }

    private Future<Answered> answered(String address, String stream, String offerSdp) {
        JsonObject body = new JsonObject().put("stream", stream).put("sdp", offerSdp);
        return bus.<JsonObject>request(address, body, options)
                .map(m -> new Answered(m.body().getString("sdp"), m.body().getString("resource")));
    }

    public Future<Boolean> streamExists(String stream) {
        return bus.<Boolean>request(STREAM_EXISTS, stream, options).map(m -> m.body());
    }

    /** A media plane publishes {@link #CONNECTED}: the viewer's edge connection carries media. */
    public static void publishConnected(EventBus bus, long session) {
        bus.publish(CONNECTED, session, InProcess.ONLY);
    }

    /** A media plane publishes {@link #CONNECTION_LOST}: the viewer's edge connection ended on its own. */
    public static void publishLost(EventBus bus, ConnectionLost lost) {
        bus.publish(CONNECTION_LOST, lost.toJson(), InProcess.ONLY);
    }

    /** Fire and forget: the address's STUN requests are answered while it holds a signalling socket. */
    public void stunAdmission(String address, boolean open) {
        bus.send(STUN_ADMISSION, new JsonObject().put("address", address).put("open", open), InProcess.ONLY);
    }

    public Future<List<String>> stunServers() {
        return bus.<JsonArray>request(STUN_SERVERS, null, options)
                .map(m -> m.body().stream().map(String::valueOf).toList());
    }

    public Future<List<StunAnswer>> stunAnswers(String address) {
        return bus.<JsonArray>request(STUN_ANSWERS, new JsonObject().put("address", address), options)
                .map(m -> m.body().stream().map(o -> StunAnswer.fromJson((JsonObject) o)).toList());
    }

    public Future<Integer> connectionCount() {
        return bus.<Integer>request(CONNECTIONS, null, options).map(m -> m.body());
    }

    // Decoding on the media side: the same shapes, read back.

    static long session(JsonObject body) {
        return body.getLong("session");
    }

    static SessionDescription sdp(JsonObject body) {
        return SessionDescription.fromTrustedJson(body.getJsonObject("sdp"));
    }

    static List<IceCandidate> candidates(JsonObject body) {
        return decode(body.getJsonArray("candidates"));
    }

    private static JsonArray encode(List<IceCandidate> candidates) {
        return IceCandidate.toJson(candidates);
    }

    private static List<IceCandidate> decode(JsonArray array) {
        return IceCandidate.fromTrustedJson(array);
    }
}
