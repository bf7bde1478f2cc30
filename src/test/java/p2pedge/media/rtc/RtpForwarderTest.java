package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    private static byte[] vp8(int sequence, boolean keyframe, int payloadBytes) {
        byte[] head = vp8(sequence, keyframe);
        return java.util.Arrays.copyOf(head, head.length + payloadBytes);
    }

    private static final long MS = 1_000_000;

    /** A NACK naming the 17 packets up to the newest sent 300 times (as a pid with a full bitmask would). */
    private static int[] newest17(byte[] newestSent) {
        int newest = java.nio.ByteBuffer.wrap(newestSent, 2, 2).getShort() & 0xFFFF;
        int[] storm = new int[300 * 17];
        for (int i = 0; i < storm.length; i++) {
            storm[i] = (newest - 16 + i % 17) & 0xFFFF;
        }
        return storm;
    }

    @Test
    void aNackStormIsAnsweredOncePerPacketAndWithinTheViewersBudget() throws Exception {
        AtomicLong now = new AtomicLong(1_000 * MS);
        List<byte[]> sent = new ArrayList<>();
        FeedbackStats stats = new FeedbackStats();
        KeyframeRequests keyframes = new KeyframeRequests(350, now::get, () -> { });
        RtpForwarder forwarder = new RtpForwarder((to, datagram) -> sent.add(datagram), keyframes, VideoCodec.VP8,
                new FeedbackLimits(20, 100, 2_000), stats, now::get);
        byte[] zeros = new byte[SrtpKeys.exportLength()];
        RtpRewriter rewriter = new RtpRewriter(42);
        forwarder.add("v", new RtpForwarder.Viewer(VIEWER, rewriter,
                SrtpTransformer.forSending(SrtpKeys.fromExporter(SrtpKeys.AES128_CM_HMAC_SHA1_80, zeros))));
        // 2 s of 100 kB/s: 100 packets of 1,000 bytes a second.
        int sequence = 0;
        forwarder.onSourceRtp(vp8(sequence++, true, 1_000));
        for (int i = 1; i < 200; i++, now.addAndGet(10 * MS)) {
            forwarder.onSourceRtp(vp8(sequence++, false, 1_000));
        }
        int forwarded = sent.size();
        int[] storm = newest17(sent.get(forwarded - 1));
        forwarder.onNack("v", storm);
        assertEquals(17, sent.size() - forwarded, "each packet once");
        assertEquals(17, stats.retransmittedPackets());
        assertEquals(300 * 17 - 17, stats.nackRefused().get("repeated"));
        // The same NACK ten times a second for 5 s while the stream goes on: a 20 % budget of ~100 kB/s is ~20 kB/s,
        // ~20 packets a second.
        for (int i = 0; i < 50; i++) {
            for (int p = 0; p < 10; p++, now.addAndGet(10 * MS)) {
                forwarder.onSourceRtp(vp8(sequence++, false, 1_000));
            }
            forwarder.onNack("v", newest17(sent.get(sent.size() - 1)));
        }
        long resentBytes = stats.retransmittedBytes();
        System.out.printf("NACK storm, unit: %d packets (%d bytes) resent for %d NACKed; refused %s%n",
                stats.retransmittedPackets(), resentBytes, 51L * storm.length, stats.nackRefused());
        assertTrue(resentBytes <= 20_600 * (1 + 5) + 1_100, "a second's burst plus 5 s at the budget: " + resentBytes + " bytes");
        assertTrue(stats.nackRefused().get("over_budget") > 0, stats.nackRefused().toString());
        assertTrue(resentBytes >= 20_000 * 5, "and the budget is used, not starved: " + resentBytes);
    }

    @Test
    void oneViewersKeyframeRequestsAreBudgetedUnlessItWaitsForItsFirstKeyframe() throws Exception {
        AtomicLong now = new AtomicLong(1_000 * MS);
        AtomicInteger requests = new AtomicInteger();
        FeedbackStats stats = new FeedbackStats();
        KeyframeRequests keyframes = new KeyframeRequests(350, now::get, requests::incrementAndGet);
        RtpForwarder forwarder = new RtpForwarder((to, datagram) -> { }, keyframes, VideoCodec.VP8,
                new FeedbackLimits(10, 100, 2_000), stats, now::get);
        byte[] zeros = new byte[SrtpKeys.exportLength()];
        forwarder.add("v", new RtpForwarder.Viewer(VIEWER, new RtpRewriter(42),
                SrtpTransformer.forSending(SrtpKeys.fromExporter(SrtpKeys.AES128_CM_HMAC_SHA1_80, zeros))));
        assertEquals(1, requests.get(), "a request on join");
        now.addAndGet(400 * MS);
        forwarder.onKeyframeRequest("v");
        assertEquals(2, requests.get(), "waiting for its first keyframe: heard");
        assertEquals(1, stats.keyframeRequestsHonoured());
        forwarder.onSourceRtp(vp8(1, true));
        // 50 PLIs a second for 4 s, with the source sending between them.
        int sequence = 2;
        for (int i = 0; i < 200; i++) {
            now.addAndGet(20 * MS);
            forwarder.onSourceRtp(vp8(sequence++, false));
            forwarder.onKeyframeRequest("v");
        }
        assertEquals(2 + 2, requests.get(), "one per 2 s: at 0 s and 2 s of the flood (4 s is its end)");
        assertEquals(200 - 2, stats.keyframeRequestsRefused());
    }

    @Test
    void aViewersReceiverReportTimesItsRoundTripAndSpacesItsResends() throws Exception {
        AtomicLong now = new AtomicLong(1_000 * MS);
        RtpForwarder forwarder = new RtpForwarder((to, datagram) -> { }, new KeyframeRequests(350, now::get, () -> { }),
                VideoCodec.VP8, new FeedbackLimits(10, 100, 2_000), new FeedbackStats(), now::get);
        byte[] zeros = new byte[SrtpKeys.exportLength()];
        forwarder.add("v", new RtpForwarder.Viewer(VIEWER, new RtpRewriter(42),
                SrtpTransformer.forSending(SrtpKeys.fromExporter(SrtpKeys.AES128_CM_HMAC_SHA1_80, zeros))));
        forwarder.onSourceRtp(vp8(1, true));
        long ntp = 0x0102030405060708L;
        forwarder.onSourceSenderReport(new Rtcp.SenderInfo(7, ntp, 0));
        long lsr = (ntp >>> 16) & 0xFFFFFFFFL;
        now.addAndGet(400 * MS);
        // The viewer held the report 150 ms (DLSR in 1/65536 s): 250 ms on the wire.
        forwarder.onReceptionReport("v", new Rtcp.ReportBlock(42, 0, 0, 1, 0, lsr, 150 * 65_536 / 1_000));
        assertEquals(250, forwarder.retransmitWindowNanos("v") / MS, 1);
        forwarder.onReceptionReport("v", new Rtcp.ReportBlock(42, 0, 0, 1, 0, lsr + 1, 0));
        forwarder.onReceptionReport("v", new Rtcp.ReportBlock(43, 0, 0, 1, 0, lsr, 0));
        assertEquals(250, forwarder.retransmitWindowNanos("v") / MS, 1, "a report on another SR or SSRC is not taken");
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
