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
        nacks.onPacket(SSRC, 10, 0);
        assertEquals(SourceNacks.Arrival.NEXT, nacks.onPacket(SSRC, 13, 0));
        assertArrayEquals(new int[]{11, 12}, nacks.due(SSRC, 5));
        assertArrayEquals(new int[0], nacks.due(SSRC, 104), "not again before the retry interval");
        assertEquals(SourceNacks.Arrival.RECOVERED, nacks.onPacket(SSRC, 12, 30));
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
        assertEquals(SourceNacks.Arrival.LATE, nacks.onPacket(SSRC, 11, 300), "given up: late, not recovered");
    }

    @Test
    void reorderedRepeatedAndNextPacketsAreToldApart() {
        SourceNacks nacks = new SourceNacks(100, 3, 3);
        assertEquals(SourceNacks.Arrival.NEXT, nacks.onPacket(SSRC, 100, 0));
        assertEquals(SourceNacks.Arrival.NEXT, nacks.onPacket(SSRC, 101, 0));
        assertEquals(SourceNacks.Arrival.REPEATED, nacks.onPacket(SSRC, 101, 0));
        assertEquals(SourceNacks.Arrival.NEXT, nacks.onPacket(SSRC, 103, 0));
        assertEquals(SourceNacks.Arrival.RECOVERED, nacks.onPacket(SSRC, 102, 0), "reordered before it was asked for");
        assertFalse(nacks.keyframeNeeded(SSRC), "nothing given up");
        assertArrayEquals(new int[0], nacks.due(SSRC, 1));
        assertEquals(SourceNacks.Arrival.LATE, nacks.onPacket(SSRC, 99, 0));
    }

    @Test
    void sequenceNumbersWrap() {
        SourceNacks nacks = new SourceNacks(100, 3, 3);
        nacks.onPacket(SSRC, 65_534, 0);
        nacks.onPacket(SSRC, 1, 0);
        assertArrayEquals(new int[]{65_535, 0}, nacks.due(SSRC, 0));
        assertEquals(SourceNacks.Arrival.RECOVERED, nacks.onPacket(SSRC, 0, 0));
        assertEquals(SourceNacks.Arrival.RECOVERED, nacks.onPacket(SSRC, 65_535, 0));
    }

    @Test
    void aGapLongerThanTheLongestAskedForIsLeftToAKeyframe() {
        SourceNacks nacks = new SourceNacks(100, 3, 3);
        nacks.onPacket(SSRC, 0, 0);
        nacks.onPacket(SSRC, SourceNacks.MAX_GAP, 0);
        assertEquals(SourceNacks.MAX_GAP - 1, nacks.due(SSRC, 0).length, "the longest gap asked for: all of it");
        nacks.onPacket(SSRC, 2 * SourceNacks.MAX_GAP + 1, 0);
        assertArrayEquals(new int[0], nacks.due(SSRC, 200), "one gap too long: it and the older one left to the keyframe");
        assertEquals(SourceNacks.MAX_GAP - 1, nacks.abandoned());
        assertTrue(nacks.keyframeNeeded(SSRC));
        nacks.onPacket(SSRC, 3 * SourceNacks.MAX_GAP + 3, 0);
        assertTrue(nacks.keyframeNeeded(SSRC), "a gap too long with nothing outstanding: still a keyframe");
    }

    @Test
    void aResendThatComesFarBehindTheNewestWithinTheReplayWindowIsRecovered() {
        SourceNacks nacks = new SourceNacks(1_000, 3, 3);
        nacks.onPacket(SSRC, 0, 0);
        nacks.onPacket(SSRC, 2, 0); // 1 missing
        for (int sequence = 3; sequence <= 700; sequence++) {
            nacks.onPacket(SSRC, sequence, 0); // a fast stream's packets while the request travels
        }
        assertEquals(1, nacks.outstanding(SSRC), "700 behind: the SRTP window still takes it");
        assertEquals(SourceNacks.Arrival.RECOVERED, nacks.onPacket(SSRC, 1, 0));
        assertFalse(nacks.keyframeNeeded(SSRC));
    }

    @Test
    void outstandingPacketsFallOutAsTheyFallBehindTheReplayWindow() {
        SourceNacks nacks = new SourceNacks(1_000, 3, 3);
        nacks.onPacket(SSRC, 0, 0);
        nacks.onPacket(SSRC, 2, 0); // 1 missing
        for (int sequence = 3; sequence <= 1 + SourceNacks.MAX_BEHIND; sequence++) {
            nacks.onPacket(SSRC, sequence, 0);
        }
        assertEquals(1, nacks.outstanding(SSRC), "1 is as far behind as the window reaches");
        assertFalse(nacks.keyframeNeeded(SSRC));
        nacks.onPacket(SSRC, 2 + SourceNacks.MAX_BEHIND, 0);
        assertEquals(0, nacks.outstanding(SSRC), "1 fell out");
        assertTrue(nacks.keyframeNeeded(SSRC));
        assertEquals(1, nacks.abandoned());
        assertEquals(SrtpReceiver.REPLAY_WINDOW - 1, SourceNacks.MAX_BEHIND, "the SRTP window's reach");
    }

    @Test
    void whateverASourceSendsTheStateStaysBounded() {
        SourceNacks nacks = new SourceNacks(10, 3, 3);
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 100_000; i++) {
            int ssrc = random.nextInt(10); // more SSRCs than tracked
            nacks.onPacket(ssrc, random.nextInt(65_536), i);
            assertTrue(nacks.due(ssrc, i).length <= SourceNacks.MAX_MISSING);
            assertTrue(nacks.outstanding(ssrc) <= SourceNacks.MAX_MISSING);
            assertTrue(nacks.tracked() <= 3);
        }
    }

    @Test
    void theSsrcHeardFromLeastRecentlyIsForgottenBeyondTheBound() {
        SourceNacks nacks = new SourceNacks(100, 3, 2);
        nacks.onPacket(1, 0, 0);
        nacks.onPacket(1, 3, 0); // 2 outstanding on SSRC 1
        nacks.onPacket(2, 0, 0);
        nacks.onPacket(3, 0, 0); // SSRC 1 forgotten
        assertEquals(0, nacks.outstanding(1));
        assertEquals(2, nacks.abandoned());
        assertEquals(SourceNacks.Arrival.NEXT, nacks.onPacket(1, 1, 0), "heard anew");
    }

    @Test
    void aFarSourceIsAskedAgainOnlyAfterItsRoundTrip() {
        SourceNacks nacks = packet1AskedForAtZero();
        assertEquals(100, nacks.retryMillis(), "the floor until a round trip is measured");
        assertEquals(SourceNacks.Arrival.RECOVERED, nacks.onPacket(SSRC, 1, 300), "answered 300 ms after one request");
        assertEquals(300, nacks.roundTripMillis());
        assertEquals(900, nacks.retryMillis(), "300 + 4 x 150 (the first sample's variation is half of it)");
        nacks.onPacket(SSRC, 4, 1_000);
        assertArrayEquals(new int[]{3}, nacks.due(SSRC, 1_000));
        assertArrayEquals(new int[0], nacks.due(SSRC, 1_100), "at the floor its answer could not have come yet");
        assertArrayEquals(new int[0], nacks.due(SSRC, 1_899));
        assertArrayEquals(new int[]{3}, nacks.due(SSRC, 1_900));
        assertArrayEquals(new int[]{3}, nacks.due(SSRC, 2_800));
        assertArrayEquals(new int[0], nacks.due(SSRC, 3_699), "the third request still has time");
        assertArrayEquals(new int[0], nacks.due(SSRC, 3_700));
        assertEquals(1, nacks.abandoned(), "given up after three waits of its round trip, not of the floor");
    }

    @Test
    void onlyAPacketAskedForOnceTimesTheRoundTrip() {
        SourceNacks nacks = packet1AskedForAtZero();
        nacks.due(SSRC, 100);
        assertEquals(SourceNacks.Arrival.RECOVERED, nacks.onPacket(SSRC, 1, 130));
        assertEquals(-1, nacks.roundTripMillis(), "an answer to which of the two requests? Not a sample");
        nacks.onPacket(SSRC, 4, 140);
        assertEquals(SourceNacks.Arrival.RECOVERED, nacks.onPacket(SSRC, 3, 141), "reordered, never asked for");
        assertEquals(-1, nacks.roundTripMillis(), "no request, no sample");
    }

    @Test
    void theWaitStaysWithinItsFloorAndCap() {
        SourceNacks near = packet1AskedForAtZero();
        near.onPacket(SSRC, 1, 2); // a reordered packet looks like a 2 ms round trip
        assertEquals(2, near.roundTripMillis());
        assertEquals(100, near.retryMillis(), "not below the floor");
        SourceNacks far = packet1AskedForAtZero();
        far.onPacket(SSRC, 1, 5_000);
        assertEquals(SourceNacks.MAX_RETRY_MILLIS, far.retryMillis(), "not above the cap");
    }

    /** Retry floor 100 ms, 3 tries: packets 0 and 2 arrived at 0 ms, and 1 was asked for then. */
    private static SourceNacks packet1AskedForAtZero() {
        SourceNacks nacks = new SourceNacks(100, 3, 3);
        nacks.onPacket(SSRC, 0, 0);
        nacks.onPacket(SSRC, 2, 0);
        assertArrayEquals(new int[]{1}, nacks.due(SSRC, 0));
        return nacks;
    }
}
