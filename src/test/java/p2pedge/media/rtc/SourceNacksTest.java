package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SourceNacksTest {

    private static final int SSRC = 0x1234;

    @Test
    void aGapIsAskedForAtOnceThenAgainAfterTheRetryIntervalThenGivenUp() {
        SourceNacks nacks = new SourceNacks(100, 2, 3);
        nacks.onPacket(SSRC, 10);
        assertEquals(SourceNacks.Arrival.NEXT, nacks.onPacket(SSRC, 13));
        assertArrayEquals(new int[]{11, 12}, nacks.due(SSRC, 5));
        assertArrayEquals(new int[0], nacks.due(SSRC, 104), "not again before the retry interval");
        assertEquals(SourceNacks.Arrival.RECOVERED, nacks.onPacket(SSRC, 12));
        assertArrayEquals(new int[]{11}, nacks.due(SSRC, 105));
        assertArrayEquals(new int[0], nacks.due(SSRC, 204), "its last request still has time");
        assertFalse(nacks.keyframeNeeded(SSRC), "nothing given up yet");
        assertArrayEquals(new int[0], nacks.due(SSRC, 205), "given up after two requests");
        assertTrue(nacks.keyframeNeeded(SSRC), "a packet that will not come: a keyframe is needed");
        assertFalse(nacks.keyframeNeeded(SSRC), "said once");
        assertEquals(3, nacks.requested());
        assertEquals(1, nacks.recovered());
        assertEquals(1, nacks.abandoned());
        assertEquals(0, nacks.outstanding(SSRC));
        assertEquals(SourceNacks.Arrival.LATE, nacks.onPacket(SSRC, 11), "given up: late, not recovered");
    }

    @Test
    void reorderedRepeatedAndNextPacketsAreToldApart() {
        SourceNacks nacks = new SourceNacks(100, 3, 3);
        assertEquals(SourceNacks.Arrival.NEXT, nacks.onPacket(SSRC, 100));
        assertEquals(SourceNacks.Arrival.NEXT, nacks.onPacket(SSRC, 101));
        assertEquals(SourceNacks.Arrival.REPEATED, nacks.onPacket(SSRC, 101));
        assertEquals(SourceNacks.Arrival.NEXT, nacks.onPacket(SSRC, 103));
        assertEquals(SourceNacks.Arrival.RECOVERED, nacks.onPacket(SSRC, 102), "reordered before it was asked for");
        assertFalse(nacks.keyframeNeeded(SSRC), "nothing given up");
        assertArrayEquals(new int[0], nacks.due(SSRC, 1));
        assertEquals(SourceNacks.Arrival.LATE, nacks.onPacket(SSRC, 99));
    }

    @Test
    void sequenceNumbersWrap() {
        SourceNacks nacks = new SourceNacks(100, 3, 3);
        nacks.onPacket(SSRC, 65_534);
        nacks.onPacket(SSRC, 1);
        assertArrayEquals(new int[]{65_535, 0}, nacks.due(SSRC, 0));
        assertEquals(SourceNacks.Arrival.RECOVERED, nacks.onPacket(SSRC, 0));
        assertEquals(SourceNacks.Arrival.RECOVERED, nacks.onPacket(SSRC, 65_535));
    }

    @Test
    void aGapLongerThanTheReplayWindowIsLeftToAKeyframe() {
        SourceNacks nacks = new SourceNacks(100, 3, 3);
        nacks.onPacket(SSRC, 0);
        nacks.onPacket(SSRC, SourceNacks.MAX_GAP);
        assertEquals(SourceNacks.MAX_GAP - 1, nacks.due(SSRC, 0).length, "the longest gap asked for: all of it");
        nacks.onPacket(SSRC, 2 * SourceNacks.MAX_GAP + 1);
        assertArrayEquals(new int[0], nacks.due(SSRC, 200), "one gap too long, and the older one fell out of the window");
        assertEquals(SourceNacks.MAX_GAP - 1, nacks.abandoned());
        assertTrue(nacks.keyframeNeeded(SSRC));
        nacks.onPacket(SSRC, 3 * SourceNacks.MAX_GAP + 3);
        assertTrue(nacks.keyframeNeeded(SSRC), "a gap too long with nothing outstanding: still a keyframe");
    }

    @Test
    void outstandingPacketsFallOutAsTheyFallBehindTheReplayWindow() {
        SourceNacks nacks = new SourceNacks(1_000, 3, 3);
        nacks.onPacket(SSRC, 0);
        nacks.onPacket(SSRC, 2); // 1 missing
        nacks.onPacket(SSRC, 1 + SourceNacks.MAX_GAP);
        assertEquals(SourceNacks.MAX_GAP - 2 + 1, nacks.outstanding(SSRC), "1 is as far behind as the window reaches");
        assertFalse(nacks.keyframeNeeded(SSRC));
        nacks.onPacket(SSRC, 2 + SourceNacks.MAX_GAP);
        assertEquals(SourceNacks.MAX_GAP - 2, nacks.outstanding(SSRC), "1 fell out");
        assertTrue(nacks.keyframeNeeded(SSRC));
        assertEquals(1, nacks.abandoned());
    }

    @Test
    void whateverASourceSendsTheStateStaysBounded() {
        SourceNacks nacks = new SourceNacks(10, 3, 3);
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 100_000; i++) {
            int ssrc = random.nextInt(10); // more SSRCs than tracked
            nacks.onPacket(ssrc, random.nextInt(65_536));
            assertTrue(nacks.due(ssrc, i).length <= SourceNacks.MAX_MISSING);
            assertTrue(nacks.outstanding(ssrc) <= SourceNacks.MAX_MISSING);
            assertTrue(nacks.tracked() <= 3);
        }
    }

    @Test
    void theSsrcHeardFromLeastRecentlyIsForgottenBeyondTheBound() {
        SourceNacks nacks = new SourceNacks(100, 3, 2);
        nacks.onPacket(1, 0);
        nacks.onPacket(1, 3); // 2 outstanding on SSRC 1
        nacks.onPacket(2, 0);
        nacks.onPacket(3, 0); // SSRC 1 forgotten
        assertEquals(0, nacks.outstanding(1));
        assertEquals(2, nacks.abandoned());
        assertEquals(SourceNacks.Arrival.NEXT, nacks.onPacket(1, 1), "heard anew");
    }
}
