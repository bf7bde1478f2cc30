package p2pedge.media.forwarding;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import p2pedge.config.EdgeConfig;
import p2pedge.media.MediaApi;
import p2pedge.media.StreamDirectory;
import p2pedge.media.rtc.Negotiation;
import p2pedge.media.rtc.PeerSdp;
import p2pedge.media.rtc.VideoCodec;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.logging.Logger;

/**
 * WHIP publishers on this edge, from offer to end: a publisher's offer claims the stream's name cluster-wide (a
 * second publisher on any edge gets a 409, or replaces this one when {@code whip.replace} is on), gets a new
 * {@link ForwardedStream} that it feeds, and the edge's answer with a resource id (the right to end it). The stream
 * ends when the publisher ends it, when it never connects or goes silent for {@code whip.publisherTimeoutSeconds},
 * or when a new publisher replaces it; its viewers are told, every other edge ends its pulled copy, and the name is
 * free again. At most {@code whip.maxPublishers} at once. Runs on the media verticle's context.
 */
final class Publishers {

    private static final Logger LOG = Logger.getLogger(Publishers.class.getName());

    /** Where a publisher is told to send: the edge's DTLS fingerprint and its first candidate on the shared port. */
    record Endpoint(String fingerprint, String address, int udpPort) {
    }

    /** A WHIP resource: the stream its publisher feeds, and that publisher's watchdog timer. */
    private record Publication(ForwardedStream stream, long watchdog) {
    }

    private final Vertx vertx;
    private final EdgeConfig.Whip whip;
    private final String edgeId;
    private final StreamDirectory directory;
    /** The verticle's streams by name: published ones are added and removed here. */
    private final Map<String, ForwardedStream> streams;
    private final Viewers viewers;
    private final BiFunction<String, VideoCodec, ForwardedStream> newStream;
    private final Endpoint endpoint;
    private final Map<String, Publication> published = new HashMap<>();
    /** Offers accepted but still claiming their name in the directory: they count against whip.maxPublishers. */
    private int claiming;

    /** @param newStream a stream of that name and codec on the shared port */
    Publishers(Vertx vertx, EdgeConfig.Whip whip, String edgeId, StreamDirectory directory, Map<String, ForwardedStream> streams,
               Viewers viewers, BiFunction<String, VideoCodec, ForwardedStream> newStream, Endpoint endpoint) {
        this.vertx = vertx;
        this.whip = whip;
        this.edgeId = edgeId;
        this.directory = directory;
        this.streams = streams;
        this.viewers = viewers;
        this.newStream = newStream;
        this.endpoint = endpoint;
    }

    /** The consumers of the media contract's publish and unpublish requests. */
    List<MessageConsumer<?>> listen() {
        var bus = vertx.eventBus();
        return List.of(
                bus.<JsonObject>localConsumer(MediaApi.PUBLISH, this::onPublish),
                bus.<JsonObject>localConsumer(MediaApi.UNPUBLISH, this::onUnpublish));
    }

    /** Whether a WHIP publisher feeds this stream (other edges may pull only such streams). */
    boolean feeds(ForwardedStream stream) {
        return resourceOf(stream) != null;
    }

    /** A WHIP publisher's offer: a new stream of that name, fed by it. */
    private void onPublish(Message<JsonObject> message) {
        String name = message.body().getString("stream");
        PeerSdp offer = ForwardingMediaVerticle.offerOf(message);
        if (offer == null) {
            return;
        }
        ForwardedStream live = streams.get(name);
        boolean replacing = false;
        if (live != null) {
            String resource = resourceOf(live);
            if (resource == null || !whip.replace()) {
                message.fail(409, "stream " + name + " is already live");
                return;
            }
            end(resource, "replaced by a new publisher", false);
            replacing = true;
        } else if (published.size() + claiming >= whip.maxPublishers()) {
            // Each publisher holds a stream, its ICE/DTLS session and a watchdog: bounded per edge.
            message.fail(503, "this edge is at its limit of " + whip.maxPublishers()
                    + " live WHIP publishers (whip.maxPublishers)");
            return;
        }
        // The name is claimed cluster-wide first: a second publisher on any edge gets a 409.
        claiming++;
        (replacing ? Future.succeededFuture(true) : directory.claim(name, edgeId)).onComplete(claimed -> {
            claiming--;
            if (claimed.failed() || !claimed.result()) {
                message.fail(409, "stream " + name + " is already live on another edge");
                return;
            }
            accept(name, offer, message);
        });
    }

    private void accept(String name, PeerSdp offer, Message<JsonObject> message) {
        VideoCodec codec = Negotiation.publisherCodec(offer);
        ForwardedStream stream = newStream.apply(name, codec);
        PublisherSession publisher;
        try {
            publisher = stream.acceptPublisher(offer, endpoint.fingerprint(), endpoint.address(), endpoint.udpPort(), null);
        } catch (IllegalArgumentException e) {
            stream.close();
            directory.release(name, edgeId);
            message.fail(400, "offer rejected: " + e.getMessage());
            return;
        }
        String resource = ForwardedStream.token(16);
        streams.put(name, stream);
        published.put(resource, new Publication(stream, watchdog(stream, () -> end(resource,
                publisher.secured().succeeded() ? "the publisher went silent" : "the publisher did not connect", true))));
        // Not the resource id: it is the right to end the stream.
        LOG.info(() -> "stream " + name + ": WHIP publisher accepted (" + codec + ")");
        message.reply(new JsonObject().put("sdp", publisher.answer()).put("resource", resource));
    }

    /** Calls {@code onStale} once the stream has had no media for whip.publisherTimeoutSeconds (or never had any). */
    private long watchdog(ForwardedStream stream, Runnable onStale) {
        long timeout = whip.publisherTimeoutSeconds() * 1_000_000_000L;
        return vertx.setPeriodic(1_000, t -> {
            if (stream.silentFor(timeout)) {
                onStale.run();
            }
        });
    }

    /** Ends a publication named by its resource under its own stream (the same id under another stream is unknown). */
    private void onUnpublish(Message<JsonObject> message) {
        String resource = message.body().getString("resource");
        Publication publication = published.get(resource);
        if (publication == null || !publication.stream().name().equals(message.body().getString("stream"))) {
            message.fail(404, "no such WHIP resource");
            return;
        }
        end(resource, "the publisher ended it", true);
        message.reply(null);
    }

    private String resourceOf(ForwardedStream stream) {
        return published.entrySet().stream().filter(e -> e.getValue().stream() == stream).map(Map.Entry::getKey).findFirst().orElse(null);
    }

    /**
     * A published stream ends: its viewers here are told (an error, not a frozen picture), every other edge ends
     * its pulled copy, and (unless a new publisher takes over the name) the name is free again.
     */
    private void end(String resource, String reason, boolean releaseName) {
        Publication publication = published.remove(resource);
        if (publication == null) {
            return;
        }
        ForwardedStream stream = publication.stream();
        vertx.cancelTimer(publication.watchdog());
        streams.remove(stream.name(), stream);
        viewers.closeStream(stream, reason);
        vertx.eventBus().publish(Pulls.STREAM_ENDED, new JsonObject().put("stream", stream.name()).put("reason", reason));
        if (releaseName) {
            directory.release(stream.name(), edgeId);
        }
    }

    /** The edge stops: watchdogs end and the names are released (the verticle closes the streams with the others). */
    void stop() {
        published.values().forEach(publication -> {
            vertx.cancelTimer(publication.watchdog());
            directory.release(publication.stream().name(), edgeId);
        });
    }
}
