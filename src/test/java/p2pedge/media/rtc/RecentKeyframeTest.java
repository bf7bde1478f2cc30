package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a joining player may start from, on a made-up clock (nanoseconds). */
class RecentKeyframeTest {

    private static final long MS = 1_000_000;

    @Test
    void aKeyframeAndWhatFollowedWhileRecentThenNothing() {
        RecentKeyframe recent = new RecentKeyframe(150, 8);
        byte[] before = {1};
        byte[] keyframe = {2};
        byte[] after = {3};
        recent.onPacket(before, false, 0);
        assertTrue(recent.since(0).isEmpty(), "no keyframe yet: nothing to start from");
        recent.onPacket(keyframe, true, 10 * MS);
        recent.onPacket(after, false, 30 * MS);
        List<byte[]> start = recent.since(160 * MS);
        assertEquals(2, start.size());
        assertSame(keyframe, start.get(0), "the source's own packets, not copies");
        assertSame(after, start.get(1));
        assertTrue(recent.since(161 * MS).isEmpty(), "older than the bound: the joiner waits for the next keyframe");
        recent.onPacket(new byte[]{4}, false, 170 * MS);
        assertTrue(recent.since(170 * MS).isEmpty(), "packets after the bound do not revive it");
        recent.onPacket(keyframe, true, 200 * MS);
        assertEquals(1, recent.since(200 * MS).size(), "the next keyframe starts afresh");
    }

    @Test
    void aRunLongerThanItsBoundOrForgottenStartsNobody() {
        RecentKeyframe recent = new RecentKeyframe(150, 3);
        recent.onPacket(new byte[]{1}, true, 0);
        recent.onPacket(new byte[]{2}, false, 0);
        recent.onPacket(new byte[]{3}, false, 0);
        assertEquals(3, recent.since(0).size());
        recent.onPacket(new byte[]{4}, false, 0);
        assertTrue(recent.since(0).isEmpty(), "a fourth packet does not fit: no start, rather than one with a gap");
        recent.onPacket(new byte[]{5}, true, MS);
        recent.forget();
        assertTrue(recent.since(MS).isEmpty(), "a source that stopped starts nobody");
    }
}
