package p2pedge.media.forwarding;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import p2pedge.media.StreamDirectory;
import p2pedge.media.rtc.DtlsCertificate;
import p2pedge.media.rtc.SharedUdpPort;
import p2pedge.media.rtc.VideoCodec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * Streams across edges, both ways. Pulling: a stream published on another edge is pulled once ({@link StreamPull})
 * into a local {@link ForwardedStream} that serves every viewer here; the pull ends when the origin ends the
 * stream, goes silent or leaves the cluster, or when no viewer here has watched it for {@code idleSeconds}.
 * Serving: another edge pulling one of this edge's published streams is offered it like any viewer. Offers,
 * answers and closes travel on the clustered event bus, addressed by edge id. Runs on the media verticle's context.
 */
final class Pulls {

    private static final Logger LOG = Logger.getLogger(Pulls.class.getName());
    // The addresses keep their first name ("relay"): every edge of a cluster must use the same ones.
    static final String PULL_OFFER = "p2pedge.media.relay-offer.";
    static final String PULL_ANSWER = "p2pedge.media.relay-answer.";
    static final String PULL_CLOSE = "p2pedge.media.relay-close.";
    /** Published to every edge when a published stream ends on its origin. */
    static final String STREAM_ENDED = "p2pedge.media.stream-ended";
    private static final DeliveryOptions REQUEST = new DeliveryOptions().setSendTimeout(10_000);

    /** A stream this edge pulls: the origin, this edge's session there, and when the last viewer here was seen. */
    private static final class Pulled {
        final String origin;
        final long remoteSession;
        final ForwardedStream stream;
        long lastWatchedNanos = System.nanoTime();
        long timer;

        Pulled(String origin, long remoteSession, ForwardedStream stream) {
            this.origin = origin;
            this.remoteSession = remoteSession;
            this.stream = stream;
        }
    }

    private final Vertx vertx;
    private final Context context;
    private final String edgeId;
    private final StreamDirectory directory;
    private final BcTlsCrypto crypto;
    private final DtlsCertificate identity;
    private final SharedUdpPort port;
    private final Viewers viewers;
    /** The verticle's streams by name: pulled ones are added and removed here. */
    private final Map<String, ForwardedStream> streams;
    private final Predicate<ForwardedStream> publishedHere;
    private final long silenceNanos;
    private final long idleNanos;
    private final Map<String, Pulled> pulled = new HashMap<>();
    private final Map<String, Future<ForwardedStream>> pulling = new HashMap<>();
    /** Sessions of other edges pulling from this one -> the puller's edge id (released if that edge leaves). */
    private final Map<Long, String> served = new HashMap<>();
    private final ForwardedStream.Shared shared;

    Pulls(Context context, String edgeId, StreamDirectory directory, BcTlsCrypto crypto, DtlsCertificate identity,
           SharedUdpPort port, Viewers viewers, Map<String, ForwardedStream> streams,
           Predicate<ForwardedStream> publishedHere, int silenceSeconds, int idleSeconds, ForwardedStream.Shared shared) {
        this.shared = shared;
        this.vertx = context.owner();
        this.context = context;
        this.edgeId = edgeId;
        this.directory = directory;
        this.crypto = crypto;
        this.identity = identity;
        this.port = port;
        this.viewers = viewers;
        this.streams = streams;
        this.publishedHere = publishedHere;
        this.silenceNanos = silenceSeconds * 1_000_000_000L;
        this.idleNanos = idleSeconds * 1_000_000_000L;
    }

    /** The consumers of this edge's pull addresses. */
    List<MessageConsumer<?>> listen() {
        var bus = vertx.eventBus();
        return List.of(
                bus.<JsonObject>consumer(PULL_OFFER + edgeId, this::onPullOffer),
                bus.<JsonObject>consumer(PULL_ANSWER + edgeId, this::onPullAnswer),
                bus.<Long>consumer(PULL_CLOSE + edgeId, m -> viewers.release(m.body())),
                bus.<JsonObject>consumer(STREAM_ENDED, m -> end(m.body().getString("stream"),
                        "it ended on its origin: " + m.body().getString("reason"))));
    }

    /** The edge a stream here is pulled from, if it is pulled. */
    Optional<String> originOf(String name) {
        return Optional.ofNullable(pulled.get(name)).map(p -> p.origin);
    }

    int count() {
        return pulled.size();
    }

    /** The stream of that name pulled from the edge it is published on: one pull per stream, shared by all callers. */
    Future<ForwardedStream> pull(String name) {
        Future<ForwardedStream> inProgress = pulling.get(name);
        if (inProgress != null) {
            return inProgress;
        }
        Promise<ForwardedStream> pull = Promise.promise();
        pulling.put(name, pull.future());
        directory.owner(name).compose(owner -> owner.isEmpty() || owner.get().equals(edgeId)
                        ? Viewers.<ForwardedStream>refused(404, "stream not found")
                        : pullFrom(name, owner.get()))
                .onComplete(ar -> {
                    pulling.remove(name);
                    pull.handle(ar);
                });
        return pull.future();
    }

    /** This edge becomes one viewer of {@code name} on its origin, and forwards to its own viewers. */
    private Future<ForwardedStream> pullFrom(String name, String origin) {
        var bus = vertx.eventBus();
        JsonObject request = new JsonObject().put("stream", name).put("edge", edgeId);
        return bus.<JsonObject>request(PULL_OFFER + origin, request, REQUEST).compose(reply -> {
            JsonObject offer = reply.body();
            long remoteSession = offer.getLong("session");
            ForwardedStream stream = new ForwardedStream(name, VideoCodec.of(offer.getString("codec")), port, context, shared);
            StreamPull pull = new StreamPull(vertx, crypto, identity, stream);
            List<String> candidates = offer.getJsonArray("candidates").stream().map(String::valueOf).toList();
            return pull.start(offer.getString("sdp"), candidates, answer -> bus.request(PULL_ANSWER + origin,
                            new JsonObject().put("session", remoteSession).put("sdp", answer), REQUEST).mapEmpty())
                    .map(v -> {
                        Pulled entry = new Pulled(origin, remoteSession, stream);
                        entry.timer = vertx.setPeriodic(1_000, t -> check(name, entry));
                        streams.put(name, stream);
                        pulled.put(name, entry);
                        LOG.info(() -> "stream " + name + ": pulled from edge " + origin);
                        return stream;
                    })
                    .onFailure(t -> {
                        // The pull is closed with the stream (it is its source once started) or here (if it never was).
                        pull.close();
                        stream.close();
                        bus.send(PULL_CLOSE + origin, remoteSession);
                        LOG.warning("pull of " + name + " from edge " + origin + " failed: " + t.getMessage());
                    });
        });
    }

    /** Once a second: a pull whose origin went silent ends (its viewers told); one nobody here watches is let go. */
    private void check(String name, Pulled entry) {
        long now = System.nanoTime();
        if (entry.stream.silentFor(silenceNanos)) {
            end(name, "its origin went silent");
        } else if (viewers.watching(entry.stream) > 0) {
            entry.lastWatchedNanos = now;
        } else if (now - entry.lastWatchedNanos > idleNanos) {
            LOG.info(() -> "stream " + name + ": no viewer here for " + idleNanos / 1_000_000_000L + " s, pull from edge "
                    + entry.origin + " closed");
            end(name, "no viewer");
        }
    }

    /** Another edge pulls one of this edge's published streams: it is offered the stream like a viewer. */
    private void onPullOffer(Message<JsonObject> message) {
        String name = message.body().getString("stream");
        ForwardedStream stream = streams.get(name);
        if (stream == null || !publishedHere.test(stream)) {
            message.fail(404, "stream " + name + " is not published on this edge");
            return;
        }
        long session = viewers.internalSession();
        served.put(session, message.body().getString("edge", ""));
        viewers.offerToEdge(session, stream).map(offer -> new JsonObject()
                        .put("session", session)
                        .put("codec", stream.codec.name().toLowerCase(Locale.ROOT))
                        .put("sdp", offer.getJsonObject("sdp").getString("sdp"))
                        .put("candidates", new JsonArray(offer.getJsonArray("candidates").stream()
                                .map(c -> ((JsonObject) c).getString("candidate")).toList())))
                .onComplete(ar -> ForwardingMediaVerticle.reply(message, ar));
    }

    private void onPullAnswer(Message<JsonObject> message) {
        ForwardingMediaVerticle.reply(message, viewers.applyAnswer(message.body().getLong("session"), message.body().getString("sdp"), false));
    }

    /** A pulled stream ends here: its viewers are told, the pull stops, the origin forgets this edge. */
    void end(String name, String reason) {
        Pulled entry = pulled.remove(name);
        if (entry == null) {
            return;
        }
        vertx.cancelTimer(entry.timer);
        streams.remove(name, entry.stream);
        // Closing the stream closes its pull.
        viewers.closeStream(entry.stream, reason);
        vertx.eventBus().send(PULL_CLOSE + entry.origin, entry.remoteSession);
    }

    /** An edge left the cluster: pulls from it end, and its pulls from this edge are released. */
    void edgeLeft(String deadEdge) {
        pulled.entrySet().stream().filter(e -> e.getValue().origin.equals(deadEdge)).map(Map.Entry::getKey).toList()
                .forEach(name -> end(name, "its origin edge left the cluster"));
        served.entrySet().stream().filter(e -> e.getValue().equals(deadEdge)).map(Map.Entry::getKey).toList()
                .forEach(viewers::release);
    }

    /** A viewer session was released, whatever the reason: if it was another edge's pull, it is forgotten. */
    void released(long session) {
        served.remove(session);
    }

    /** The edge stops: every pull ends. */
    void closeAll() {
        new ArrayList<>(pulled.keySet()).forEach(name -> end(name, "the edge is stopping"));
    }
}
