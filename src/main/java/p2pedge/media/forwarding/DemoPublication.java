package p2pedge.media.forwarding;

import dev.onvoid.webrtc.PeerConnectionFactory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import p2pedge.media.demo.LiveStream;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.logging.Logger;

/**
 * Keeps a raw source published into its stream: watches the in-process publisher connection ({@link PublisherHealth}:
 * its libwebrtc state, and media reaching the edge) and, when it is lost, logs why, disposes of it and publishes
 * again on a new connection after a backoff ({@link RepublishBackoff}), bounded and logged. The stream and its
 * viewers stay: the forwarders carry each viewer's numbering over to the new connection and ask it for a keyframe,
 * so players resume without reconnecting. Runs on the media verticle's context.
 */
final class DemoPublication implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DemoPublication.class.getName());
    /** How long a publisher may be disconnected, or send the edge nothing, before it counts as lost. */
    static final long GRACE_MILLIS = 4_000;
    private static final long CHECK_MILLIS = 1_000;

    private final LiveStream source;
    private final PeerConnectionFactory factory;
    private final ForwardedStream stream;
    private final String fingerprint;
    private final int udpPort;
    private final Context context;
    private final RepublishBackoff backoff = new RepublishBackoff(1_000, 30_000, 10);
    private final long checkTimer;
    private DemoPublisher publisher;
    private PublisherHealth health;
    /** Whether {@link #publisher} is up (secured) and watched. */
    private boolean live;
    private long retryTimer = -1;
    private long republished;
    private boolean closed;

    DemoPublication(LiveStream source, PeerConnectionFactory factory, ForwardedStream stream, String fingerprint, int udpPort,
                    Context context) {
        this.source = source;
        this.factory = factory;
        this.stream = stream;
        this.fingerprint = fingerprint;
        this.udpPort = udpPort;
        this.context = context;
        this.checkTimer = context.owner().setPeriodic(CHECK_MILLIS, t -> check());
    }

    /** The first publication; the edge's start waits for it (and fails if it does). */
    Future<Void> start() {
        return publishNow();
    }

    /** Times the publisher was replaced by a new connection since the edge started. */
    long republished() {
        return republished;
    }

    Future<Optional<Double>> roundTripMillis() {
        return publisher == null ? Future.succeededFuture(Optional.empty()) : publisher.roundTripMillis();
    }

    private Future<Void> publishNow() {
        PublisherHealth watched = new PublisherHealth(GRACE_MILLIS, System::nanoTime);
        DemoPublisher attempt = new DemoPublisher(source, link -> {
            if (health == watched) {
                watched.onLink(link);
                check();
            }
        });
        publisher = attempt;
        health = watched;
        return attempt.publish(factory, stream, fingerprint, udpPort, context).onSuccess(v -> {
            if (publisher == attempt && !closed) {
                watched.secured();
                live = true;
                backoff.succeeded();
            }
        });
    }

    /** Periodically and on each state change: a live publisher that is lost is replaced. */
    private void check() {
        if (!live || closed) {
            return;
        }
        health.lost(stream.lastMediaNanos()).ifPresent(this::lost);
    }

    private void lost(String reason) {
        live = false;
        dispose();
        retryLater("the in-process publisher of stream " + source.name() + " is lost: " + reason);
    }

    /** The publisher's connection first (senders, then the connection), then its session on the port. */
    private void dispose() {
        if (publisher != null) {
            publisher.close();
            publisher = null;
            health = null;
        }
        stream.dropSource();
    }

    private void retryLater(String why) {
        OptionalLong delay = backoff.afterFailure();
        if (delay.isEmpty()) {
            LOG.severe(() -> why + "; gave up after " + backoff.attempts() + " attempts to publish it again: the stream stays "
                    + "silent until the edge restarts");
            return;
        }
        LOG.warning(() -> why + "; publishing it again on a new connection in " + delay.getAsLong() + " ms (attempt "
                + backoff.failures() + " of " + backoff.attempts() + ")");
        retryTimer = context.owner().setTimer(delay.getAsLong(), t -> {
            retryTimer = -1;
            if (closed) {
                return;
            }
            int attempt = backoff.failures();
            publishNow().onComplete(ar -> {
                if (closed) {
                    return;
                }
                if (ar.succeeded()) {
                    republished++;
                    // Viewers wait for the new connection's keyframe; ask for it now rather than at the next request.
                    stream.requestKeyframe();
                    LOG.info(() -> "stream " + source.name() + ": published again on a new connection (attempt " + attempt
                            + "), its viewers resume");
                } else {
                    dispose();
                    retryLater("the in-process publisher of stream " + source.name() + " could not publish again: "
                            + ar.cause().getMessage());
                }
            });
        });
    }

    @Override
    public void close() {
        closed = true;
        context.owner().cancelTimer(checkTimer);
        if (retryTimer != -1) {
            context.owner().cancelTimer(retryTimer);
        }
        if (publisher != null) {
            publisher.close();
            publisher = null;
        }
    }
}
