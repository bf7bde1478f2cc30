package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A joining viewer waits for a keyframe, and the forwarder keeps asking the source for one (at the collapsed
 * rate) while anyone waits: an encoder that ignored a request (libwebrtc does, within 300 ms of its last
 * keyframe) must not leave the viewer without video until the next natural keyframe.
 */
class RtpForwarderTest {

    private static final InetSocketAddress VIEWER = new InetSocketAddress("127.0.0.1", 5000);

    private static byte[] vp8(int sequence, boolean keyframe) {
        return new byte[]{(byte) 0x80, 96, (byte) (sequence >> 8), (byte) sequence, 0, 0, 0, 1, 0, 0, 0, 7,
                /* descriptor: S */ 0x10, /* payload header: P */ (byte) (keyframe ? 0x10 : 0x11), 0x02, 0x00};
    }

    @Test
    void keyframeRequestsRepeatWhileAViewerWaitsAndStopOnceItIsFed() throws Exception {
        AtomicLong now = new AtomicLong();
        AtomicInteger requests = new AtomicInteger();
        List<byte[]> sent = new ArrayList<>();
        KeyframeRequests keyframes = new KeyframeRequests(350, now::get, requests::incrementAndGet);
        RtpForwarder forwarder = new RtpForwarder((to, datagram) -> sent.add(datagram), keyframes, VideoCodec.VP8);
        byte[] zeros = new byte[SrtpKeys.exportLength()];
        forwarder.add("v", new RtpForwarder.Viewer(VIEWER, new RtpRewriter(42),
                SrtpTransformer.forSending(SrtpKeys.fromExporter(SrtpKeys.AES128_CM_HMAC_SHA1_80, zeros))));
        assertEquals(1, requests.get(), "a request on join");

        // The encoder ignores it: a second of interframes at 50 packets/s.
        int sequence = 0;
        for (int i = 0; i < 50; i++, now.addAndGet(20_000_000)) {
            forwarder.onSourceRtp(vp8(sequence++, false));
        }
        assertEquals(0, sent.size(), "nothing before a keyframe");
        assertEquals(3, requests.get(), "asked again every 350 ms while the viewer waits");

        forwarder.onSourceRtp(vp8(sequence++, true));
        for (int i = 0; i < 50; i++, now.addAndGet(20_000_000)) {
            forwarder.onSourceRtp(vp8(sequence++, false));
        }
        assertEquals(51, sent.size(), "fed from the keyframe on");
        assertEquals(3, requests.get(), "no more requests once nobody waits");
    }

    @Test
    void senderReportsReachViewersInTheirOwnSsrcAndTimeline() throws Exception {
        List<byte[]> sent = new ArrayList<>();
        RtpForwarder forwarder = new RtpForwarder((to, datagram) -> sent.add(datagram), null, null);
        SrtpKeys keys = SrtpKeys.fromExporter(SrtpKeys.AES128_CM_HMAC_SHA1_80, new byte[SrtpKeys.exportLength()]);
        RtpRewriter rewriter = new RtpRewriter(42);
        forwarder.add("v", new RtpForwarder.Viewer(VIEWER, rewriter, SrtpTransformer.forSending(keys)));
        byte[] source = vp8(1, false);
        source[4] = 0x10; // source RTP timestamp 0x10000001
        source[7] = 1;
        forwarder.onSourceRtp(source);
        forwarder.onSourceSenderReport(new Rtcp.SenderInfo(7, 0x0102030405060708L, 0x10000001L));
        assertEquals(2, sent.size());
        SrtpTransformer viewer = SrtpTransformer.forClientReceiving(keys);
        byte[] rtp = viewer.unprotectRtp(sent.get(0)).orElseThrow();
        Rtcp.SenderInfo report = Rtcp.senderInfo(viewer.unprotectRtcp(sent.get(1)).orElseThrow()).orElseThrow();
        assertEquals(42, report.ssrc());
        assertEquals(0x0102030405060708L, report.ntpTimestamp(), "the source's clock, unchanged");
        assertEquals(java.nio.ByteBuffer.wrap(rtp, 4, 4).getInt() & 0xFFFFFFFFL, report.rtpTimestamp(),
                "the RTP time in the viewer's timeline: the same instant as the packet it rewrote");
    }

    /** A re-published source (a new SSRC): a player waits for its keyframe, asked for at once, and is not re-added. */
    @Test
    void aNewSourceSsrcMakesPlayersWaitForItsKeyframeAndAsksForOne() throws Exception {
        AtomicLong now = new AtomicLong();
        AtomicInteger requests = new AtomicInteger();
        List<byte[]> sent = new ArrayList<>();
        KeyframeRequests keyframes = new KeyframeRequests(350, now::get, requests::incrementAndGet);
        RtpForwarder forwarder = new RtpForwarder((to, datagram) -> sent.add(datagram), keyframes, VideoCodec.VP8);
        SrtpKeys keys = SrtpKeys.fromExporter(SrtpKeys.AES128_CM_HMAC_SHA1_80, new byte[SrtpKeys.exportLength()]);
        forwarder.add("v", new RtpForwarder.Viewer(VIEWER, new RtpRewriter(42), SrtpTransformer.forSending(keys)));
        forwarder.onSourceRtp(vp8(1, true));
        forwarder.onSourceRtp(vp8(2, false));
        assertEquals(2, sent.size());
        now.addAndGet(1_000_000_000);

        byte[] other = vp8(40_000, false);
        other[11] = 8; // SSRC 7 -> 8: the publisher's new connection
        forwarder.onSourceRtp(other);
        assertEquals(2, sent.size(), "the new source's interframe is held back");
        assertEquals(2, requests.get(), "a keyframe is asked of the new source at once");
        assertEquals(1, forwarder.sourceChanges());
        byte[] keyframe = vp8(40_001, true);
        keyframe[11] = 8;
        forwarder.onSourceRtp(keyframe);
        assertEquals(3, sent.size(), "fed again from its keyframe");
        SrtpTransformer viewer = SrtpTransformer.forClientReceiving(keys);
        byte[] before = viewer.unprotectRtp(sent.get(1)).orElseThrow();
        byte[] after = viewer.unprotectRtp(sent.get(2)).orElseThrow();
        int gap = ((((after[2] & 0xFF) << 8) | (after[3] & 0xFF)) - (((before[2] & 0xFF) << 8) | (before[3] & 0xFF))) & 0xFFFF;
        assertEquals(1, gap, "its numbering went on where it was");
    }
}
