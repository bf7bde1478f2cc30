package p2pedge.media.forwarding;

import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Whether an in-process publisher connection is lost, from two sides: its own libwebrtc connection state, and
 * the media the edge receives from it. Failed or closed is lost at once; disconnected is lost once it lasts
 * longer than a grace period (libwebrtc may reconnect by itself, but without an ICE restart it often only gets
 * to failed after tens of seconds); connected without media reaching the edge for as long is lost too (the
 * edge's side of the session is gone while libwebrtc still believes in it). Pure: times come from the clock.
 */
final class PublisherHealth {

    /** The publisher connection's state, as its libwebrtc reports it. */
    enum Link { CONNECTING, CONNECTED, DISCONNECTED, FAILED, CLOSED }

    private final long graceNanos;
    private final LongSupplier clock;
    private Link link = Link.CONNECTING;
    private long linkSinceNanos;
    /** Since when media is expected: the publisher's handshake with the edge completed (its first media follows). */
    private long securedNanos;

    PublisherHealth(long graceMillis, LongSupplier nanoClock) {
        this.graceNanos = TimeUnit.MILLISECONDS.toNanos(graceMillis);
        this.clock = nanoClock;
        this.securedNanos = nanoClock.getAsLong();
        this.linkSinceNanos = securedNanos;
    }

    /** The edge holds the publisher's keys: its silence counts from now (not from when publishing began). */
    void secured() {
        securedNanos = clock.getAsLong();
    }

    void onLink(Link state) {
        if (state != link) {
            link = state;
            linkSinceNanos = clock.getAsLong();
        }
    }

    Link link() {
        return link;
    }

    /**
     * Why the connection counts as lost now, if it does.
     *
     * @param lastMediaNanos when the edge last received media from this publisher (the clock's time base)
     */
    Optional<String> lost(long lastMediaNanos) {
        long now = clock.getAsLong();
        switch (link) {
            case FAILED, CLOSED -> {
                return Optional.of("its connection is " + link.name().toLowerCase(Locale.ROOT));
            }
            case DISCONNECTED -> {
                if (now - linkSinceNanos >= graceNanos) {
                    return Optional.of("its connection has been disconnected for " + millis(now - linkSinceNanos) + " ms");
                }
            }
            default -> {
            }
        }
        long silent = now - Math.max(securedNanos, lastMediaNanos);
        if (silent >= graceNanos) {
            return Optional.of("no media has reached the edge for " + millis(silent) + " ms (connection " + link.name().toLowerCase(Locale.ROOT) + ")");
        }
        return Optional.empty();
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
