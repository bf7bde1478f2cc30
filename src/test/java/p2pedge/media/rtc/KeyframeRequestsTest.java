package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyframeRequestsTest {

    @Test
    void requestsInsideAnIntervalCollapseIntoOneAndNoneIsLost() {
        AtomicLong now = new AtomicLong(0);
        AtomicInteger sent = new AtomicInteger();
        KeyframeRequests requests = new KeyframeRequests(300, now::get, ssrc -> sent.incrementAndGet());
        requests.request(7);
        assertEquals(1, sent.get(), "the first goes at once");
        for (int i = 0; i < 50; i++) {
            now.addAndGet(1_000_000); // 50 viewers join within 50 ms
            requests.request(7);
        }
        assertEquals(1, sent.get(), "collapsed");
        now.addAndGet(250_000_000);
        requests.flush();
        assertEquals(2, sent.get(), "the folded request goes when the interval has passed");
        now.addAndGet(1_000_000_000);
        requests.flush();
        assertEquals(2, sent.get(), "nothing pending, nothing sent");
        requests.request(7);
        now.addAndGet(1_000_000);
        requests.request(7);
        requests.satisfied(7); // the keyframe came
        now.addAndGet(1_000_000_000);
        requests.flush();
        assertEquals(3, requests.sent(), "a request the keyframe answered is not sent again");
    }

    @Test
    void eachEncodingIsCollapsedOnItsOwn() {
        AtomicLong now = new AtomicLong(0);
        java.util.List<Integer> sent = new java.util.ArrayList<>();
        KeyframeRequests requests = new KeyframeRequests(300, now::get, sent::add);
        requests.request(1);
        requests.request(2);
        requests.request(1);
        assertEquals(java.util.List.of(1, 2), sent, "one per layer at once; the repeat is folded");
        now.addAndGet(300_000_000);
        requests.flush();
        assertEquals(java.util.List.of(1, 2, 1), sent);
    }

    @Test
    void vp8KeyframesAreFoundBehindTheirDescriptors() {
        byte[] keyframe = {(byte) 0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, /* descriptor: X S PID0 */ (byte) 0x90,
                /* X: I */ (byte) 0x80, /* 15-bit picture id */ (byte) 0x81, 0x23, /* payload header, P=0 */ 0x10, 0x02, 0x00};
        assertTrue(Vp8.startsKeyframe(keyframe));
        byte[] interframe = keyframe.clone();
        interframe[16] = 0x11; // P=1
        assertFalse(Vp8.startsKeyframe(interframe));
        byte[] continuation = keyframe.clone();
        continuation[12] = (byte) 0x80; // S=0: not the start of the partition
        assertFalse(Vp8.startsKeyframe(continuation));
        assertFalse(Vp8.startsKeyframe(new byte[]{(byte) 0x80, 96, 0, 1}), "too short");
        byte[] bogusExtension = keyframe.clone();
        bogusExtension[0] = (byte) 0x90; // X bit in the RTP header, but no room for the extension
        assertFalse(Vp8.startsKeyframe(java.util.Arrays.copyOf(bogusExtension, 14)));
    }
}
