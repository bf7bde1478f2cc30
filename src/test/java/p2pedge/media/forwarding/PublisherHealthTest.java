package p2pedge.media.forwarding;

import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When an in-process publisher counts as lost, and how often it is published again: pure, on a fake clock. */
class PublisherHealthTest {

    private static final long MS = 1_000_000;

    @Test
    void failedIsLostAtOnceDisconnectedAfterTheGraceAndSilenceWhileConnectedToo() {
        AtomicLong now = new AtomicLong(1_000 * MS);
        PublisherHealth health = new PublisherHealth(4_000, now::get);
        health.onLink(PublisherHealth.Link.CONNECTED);
        assertEquals(Optional.empty(), health.lost(now.get()));

        now.addAndGet(1_000 * MS);
        health.onLink(PublisherHealth.Link.DISCONNECTED);
        long media = now.get();
        now.addAndGet(3_000 * MS);
        assertEquals(Optional.empty(), health.lost(media), "libwebrtc may still reconnect by itself");
        health.onLink(PublisherHealth.Link.CONNECTED);
        now.addAndGet(500 * MS);
        assertEquals(Optional.empty(), health.lost(now.get()), "it did");

        health.onLink(PublisherHealth.Link.DISCONNECTED);
        now.addAndGet(4_000 * MS);
        assertTrue(health.lost(now.get()).orElseThrow().contains("disconnected for 4000 ms"));

        health.onLink(PublisherHealth.Link.FAILED);
        assertTrue(health.lost(now.get()).orElseThrow().contains("failed"), "failed: at once");
    }

    @Test
    void silenceCountsFromTheHandshakeNotFromWhenPublishingBegan() {
        AtomicLong now = new AtomicLong(0);
        PublisherHealth health = new PublisherHealth(4_000, now::get);
        now.addAndGet(5_000 * MS); // a slow ICE and DTLS on a loaded machine
        health.onLink(PublisherHealth.Link.CONNECTED);
        health.secured();
        long noMediaYet = 0;
        assertEquals(Optional.empty(), health.lost(noMediaYet), "just secured: its media is on its way");
        now.addAndGet(4_000 * MS);
        assertTrue(health.lost(noMediaYet).isPresent(), "but not for longer than the grace");
    }

    @Test
    void aConnectionThatLooksFineButSendsTheEdgeNothingIsLost() {
        AtomicLong now = new AtomicLong(5_000 * MS);
        PublisherHealth health = new PublisherHealth(4_000, now::get);
        health.onLink(PublisherHealth.Link.CONNECTED);
        long lastMedia = now.get();
        now.addAndGet(3_999 * MS);
        assertEquals(Optional.empty(), health.lost(lastMedia));
        now.addAndGet(MS);
        assertTrue(health.lost(lastMedia).orElseThrow().contains("no media has reached the edge for 4000 ms"));
        assertEquals(Optional.empty(), health.lost(now.get()), "media again: fine");
    }

    @Test
    void republishingBacksOffExponentiallyUpToTheCapAndGivesUpAfterTheBoundUntilASuccess() {
        RepublishBackoff backoff = new RepublishBackoff(1_000, 30_000, 7);
        long[] expected = {1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000};
        for (long delay : expected) {
            assertEquals(OptionalLong.of(delay), backoff.afterFailure());
        }
        assertEquals(OptionalLong.empty(), backoff.afterFailure(), "bounded");
        backoff.succeeded();
        assertEquals(OptionalLong.of(1_000), backoff.afterFailure(), "a success starts over");
    }
}
