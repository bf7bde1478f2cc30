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

    /** A forwarder on the test's clock with its keyframe requests counted (at least 350 ms apart), for players joining. */
    private static final class Joins {
        final AtomicLong now = new AtomicLong(1_000 * MS);
        final AtomicInteger requests = new AtomicInteger();
        final List<byte[]> sent = new ArrayList<>();
        final FeedbackStats stats = new FeedbackStats();
        final RtpForwarder forwarder = new RtpForwarder((to, datagram, length) -> sent.add(java.util.Arrays.copyOf(datagram, length)),
                new KeyframeRequests(350, now::get, ssrc -> requests.incrementAndGet()), VideoCodec.VP8, FeedbackLimits.DEFAULT,
                stats, now::get, null);
        final SrtpKeys keys = SrtpKeys.fromExporter(SrtpProfile.AES_CM_128_HMAC_SHA1_80,
                new byte[SrtpProfile.AES_CM_128_HMAC_SHA1_80.exportLength()]);
    }

    @Test
    void keyframeRequestsRepeatWhileAViewerWaitsAndStopOnceItIsFed() throws Exception {
        AtomicLong now = new AtomicLong();
        AtomicInteger requests = new AtomicInteger();
        List<byte[]> sent = new ArrayList<>();
        KeyframeRequests keyframes = new KeyframeRequests(350, now::get, ssrc -> requests.incrementAndGet());
        RtpForwarder forwarder = new RtpForwarder((to, datagram, length) -> sent.add(java.util.Arrays.copyOf(datagram, length)), keyframes, VideoCodec.VP8);
        byte[] zeros = new byte[SrtpProfile.AES_CM_128_HMAC_SHA1_80.exportLength()];
        int sequence = 0;
        forwarder.onSourceRtp(vp8(sequence++, false)); // the stream is live before the viewer comes
        forwarder.add("v", new RtpForwarder.Viewer(VIEWER, new RtpRewriter(42),
                SrtpTransformer.forSending(SrtpKeys.fromExporter(SrtpProfile.AES_CM_128_HMAC_SHA1_80, zeros))));
        assertEquals(1, requests.get(), "a request on join");

        // The encoder ignores it: a second of interframes at 50 packets/s.
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

    /**
     * A player that joins just after a keyframe went by (the later client of a pair whose host left) starts from it at
     * once, with what followed, in one unbroken sequence, and no keyframe is asked for; one that joins later than the
     * bound waits for the next keyframe, asked for now.
     */
    @Test
    void aPlayerJoiningJustAfterAKeyframeStartsFromItAtOnce() throws Exception {
        Joins j = new Joins();
        int sequence = 100;
        j.forwarder.onSourceRtp(vp8(sequence++, false));
        j.forwarder.onSourceRtp(vp8(sequence++, true));
        for (int i = 0; i < 4; i++) {
            j.now.addAndGet(20 * MS);
            j.forwarder.onSourceRtp(vp8(sequence++, false));
        }
        j.forwarder.add("late", new RtpForwarder.Viewer(VIEWER, new RtpRewriter(42), SrtpTransformer.forSending(j.keys)));
        assertEquals(5, j.sent.size(), "the keyframe 80 ms old and the 4 packets after it, at once");
        assertEquals(0, j.requests.get(), "no keyframe asked for");
        j.forwarder.onSourceRtp(vp8(sequence++, false));
        assertEquals(6, j.sent.size(), "then live");
        SrtpTransformer player = SrtpTransformer.forClientReceiving(j.keys);
        int first = -1;
        for (int i = 0; i < j.sent.size(); i++) {
            byte[] rtp = player.unprotectRtp(j.sent.get(i)).orElseThrow();
            int viewerSequence = java.nio.ByteBuffer.wrap(rtp, 2, 2).getShort() & 0xFFFF;
            if (i == 0) {
                first = viewerSequence;
                assertTrue(Vp8.startsKeyframe(rtp), "the player's first packet begins a keyframe");
            }
            assertEquals((first + i) & 0xFFFF, viewerSequence, "one unbroken sequence from the keyframe to live");
        }
        assertEquals(java.util.Map.of("recent_keyframe", 1L, "next_keyframe", 0L), j.stats.viewerStarts());

        j.now.addAndGet(RtpForwarder.RECENT_KEYFRAME_MILLIS * MS);
        j.forwarder.add("later", new RtpForwarder.Viewer(new InetSocketAddress("127.0.0.1", 5001), new RtpRewriter(43),
                SrtpTransformer.forSending(j.keys)));
        assertEquals(6, j.sent.size(), "a keyframe older than the bound starts nobody");
        assertEquals(1, j.requests.get(), "the next one is asked for");
        assertEquals(java.util.Map.of("recent_keyframe", 1L, "next_keyframe", 1L), j.stats.viewerStarts());
    }

    /**
     * A player's first ICE check asks for its keyframe ahead of its DTLS handshake, so that the player starts from it
     * once added; a check that comes while a keyframe recent enough to start it still goes by asks for nothing.
     */
    @Test
    void aPlayersFirstCheckAsksForItsKeyframeAheadUnlessARecentOneWillDo() throws Exception {
        Joins j = new Joins();
        int sequence = 100;
        j.forwarder.onSourceRtp(vp8(sequence++, false)); // live, its last keyframe long gone
        j.forwarder.keyframeAhead(Integer.MAX_VALUE);
        assertEquals(1, j.requests.get(), "asked for at the first check");
        j.now.addAndGet(30 * MS);
        j.forwarder.onSourceRtp(vp8(sequence++, true)); // made while the handshake runs
        j.now.addAndGet(30 * MS);
        j.forwarder.onSourceRtp(vp8(sequence++, false));
        j.forwarder.add("first", new RtpForwarder.Viewer(VIEWER, new RtpRewriter(42), SrtpTransformer.forSending(j.keys)));
        assertEquals(2, j.sent.size(), "started at once from the keyframe asked for ahead, and what followed");
        assertEquals(java.util.Map.of("recent_keyframe", 1L, "next_keyframe", 0L), j.stats.viewerStarts());

        j.now.addAndGet(10 * MS);
        j.forwarder.keyframeAhead(Integer.MAX_VALUE); // 40 ms after the keyframe: it will still start this one
        for (int i = 0; i < 20; i++) {
            j.now.addAndGet(20 * MS);
            j.forwarder.onSourceRtp(vp8(sequence++, false)); // each packet flushes folded requests
        }
        assertEquals(1, j.requests.get(), "nothing asked for, nothing folded in");
        j.forwarder.keyframeAhead(Integer.MAX_VALUE); // 440 ms after it
        assertEquals(2, j.requests.get(), "a keyframe too old by the time this player is added: a new one asked for");
    }

    @Test
    void senderReportsReachViewersInTheirOwnSsrcAndTimeline() throws Exception {
        List<byte[]> sent = new ArrayList<>();
        RtpForwarder forwarder = new RtpForwarder((to, datagram, length) -> sent.add(java.util.Arrays.copyOf(datagram, length)), null, null);
        SrtpKeys keys = SrtpKeys.fromExporter(SrtpProfile.AES_CM_128_HMAC_SHA1_80, new byte[SrtpProfile.AES_CM_128_HMAC_SHA1_80.exportLength()]);
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
        KeyframeRequests keyframes = new KeyframeRequests(350, now::get, ssrc -> { });
        RtpForwarder forwarder = new RtpForwarder((to, datagram, length) -> sent.add(java.util.Arrays.copyOf(datagram, length)), keyframes, VideoCodec.VP8,
                new FeedbackLimits(20, 100, 2_000), stats, now::get, null);
        byte[] zeros = new byte[SrtpProfile.AES_CM_128_HMAC_SHA1_80.exportLength()];
        RtpRewriter rewriter = new RtpRewriter(42);
        forwarder.add("v", new RtpForwarder.Viewer(VIEWER, rewriter,
                SrtpTransformer.forSending(SrtpKeys.fromExporter(SrtpProfile.AES_CM_128_HMAC_SHA1_80, zeros))));
        // 2 s of 100 kB/s: 100 packets of 1,000 bytes a second.
        int sequence = 0;
        forwarder.onSourceRtp(vp8(sequence++, true, 1_000));
        for (int i = 1; i < 200; i++, now.addAndGet(10 * MS)) {
            forwarder.onSourceRtp(vp8(sequence++, false, 1_000));
        }
        int forwarded = sent.size();
        int[] storm = newest17(sent.get(forwarded - 1));
        forwarder.onNack("v", 0, storm);
        assertEquals(17, sent.size() - forwarded, "each packet once");
        assertEquals(17, stats.retransmittedPackets());
        assertEquals(300 * 17 - 17, stats.nackRefused().get("repeated"));
        // The same NACK ten times a second for 5 s while the stream goes on: a 20 % budget of ~100 kB/s is ~20 kB/s,
        // ~20 packets a second.
        for (int i = 0; i < 50; i++) {
            for (int p = 0; p < 10; p++, now.addAndGet(10 * MS)) {
                forwarder.onSourceRtp(vp8(sequence++, false, 1_000));
            }
            forwarder.onNack("v", 0, newest17(sent.get(sent.size() - 1)));
        }
        long resentBytes = stats.retransmittedBytes();
        System.out.printf("NACK storm, unit: %d packets (%d bytes) resent for %d NACKed; refused %s%n",
                stats.retransmittedPackets(), resentBytes, 51L * storm.length, stats.nackRefused());
        assertTrue(resentBytes <= 20_600 * (1 + 5) + 1_100, "a second's burst plus 5 s at the budget: " + resentBytes + " bytes");
        assertTrue(stats.nackRefused().get("over_budget") > 0, stats.nackRefused().toString());
        assertTrue(resentBytes >= 20_000 * 5, "and the budget is used, not starved: " + resentBytes);
    }

    /**
     * A NACKed packet is rebuilt from the viewer's own head and the shared source packet, then protected again: the
     * viewer must get exactly the SRTP packet it lost, through rewritten numbering, VP8 picture ids (15-bit, so
     * they are rewritten) and header extensions the source did not have (abs-send-time, transport-wide numbers).
     */
    @Test
    void aRetransmissionIsTheSrtpPacketFirstSentByteForByte() throws Exception {
        AtomicLong now = new AtomicLong(1_000 * MS);
        List<byte[]> sent = new ArrayList<>();
        KeyframeRequests keyframes = new KeyframeRequests(350, now::get, ssrc -> { });
        RtpForwarder forwarder = new RtpForwarder((to, datagram, length) -> sent.add(java.util.Arrays.copyOf(datagram, length)), keyframes, VideoCodec.VP8,
                new FeedbackLimits(1_000, 100, 2_000), new FeedbackStats(), now::get, null); // a budget no NACK here exceeds
        SrtpKeys keys = SrtpKeys.fromExporter(SrtpProfile.AES_CM_128_HMAC_SHA1_80, new byte[SrtpProfile.AES_CM_128_HMAC_SHA1_80.exportLength()]);
        forwarder.add("v", new RtpForwarder.Viewer(VIEWER, new RtpRewriter(42, 100, 3, 5, new TransportSequence(now::get)),
                SrtpTransformer.forSending(keys)));
        java.util.Random random = new java.util.Random(3);
        // Half from one source, half from the next (a publisher that came back): the viewer's picture ids run on,
        // so from the switch on they are not the source's.
        for (int i = 0; i < 100; i++, now.addAndGet(10 * MS)) {
            boolean second = i >= 50;
            int picture = (second ? 100 : 30_000) + i / 3;
            byte[] packet = new byte[12 + 4 + 1 + random.nextInt(1_100)];
            random.nextBytes(packet);
            byte[] head = {(byte) 0x80, 96, (byte) (i >> 8), (byte) i, 0, 0, 0, (byte) (i / 3), 0, 0, 0, (byte) (second ? 8 : 7),
                    /* X, S */ (byte) 0x90, /* I */ (byte) 0x80, (byte) (0x80 | picture >> 8), (byte) picture,
                    /* payload header: P for interframes */ (byte) (i % 50 == 0 ? 0x10 : 0x11)};
            System.arraycopy(head, 0, packet, 0, head.length);
            forwarder.onSourceRtp(packet);
        }
        assertEquals(100, sent.size());
        assertEquals(1, forwarder.sourceChanges());
        SrtpTransformer viewer = SrtpTransformer.forClientReceiving(keys);
        byte[] afterSwitch = viewer.unprotectRtp(sent.get(60)).orElseThrow();
        int payload = HeaderExtensions.blockEnd(afterSwitch);
        assertTrue(((afterSwitch[payload + 2] & 0x7F) << 8 | (afterSwitch[payload + 3] & 0xFF)) > 30_000,
                "the picture ids run on from the first source's: the viewer's own");
        List<byte[]> first = List.copyOf(sent);
        sent.clear();
        int[] all = first.stream().mapToInt(p -> java.nio.ByteBuffer.wrap(p, 2, 2).getShort() & 0xFFFF).toArray();
        forwarder.onNack("v", 0, all); // the ring keeps the newest 128: all of them
        assertEquals(100, sent.size(), "each one resent");
        for (int i = 0; i < first.size(); i++) {
            assertTrue(java.util.Arrays.equals(first.get(i), sent.get(i)), "packet " + i + " resent as first sent");
        }

    }

    @Test
    void oneViewersKeyframeRequestsAreBudgetedUnlessItWaitsForItsFirstKeyframe() throws Exception {
        AtomicLong now = new AtomicLong(1_000 * MS);
        AtomicInteger requests = new AtomicInteger();
        FeedbackStats stats = new FeedbackStats();
        KeyframeRequests keyframes = new KeyframeRequests(350, now::get, ssrc -> requests.incrementAndGet());
        RtpForwarder forwarder = new RtpForwarder((to, datagram, length) -> { }, keyframes, VideoCodec.VP8,
                new FeedbackLimits(10, 100, 2_000), stats, now::get, null);
        byte[] zeros = new byte[SrtpProfile.AES_CM_128_HMAC_SHA1_80.exportLength()];
        forwarder.onSourceRtp(vp8(0, false));
        forwarder.add("v", new RtpForwarder.Viewer(VIEWER, new RtpRewriter(42),
                SrtpTransformer.forSending(SrtpKeys.fromExporter(SrtpProfile.AES_CM_128_HMAC_SHA1_80, zeros))));
        assertEquals(1, requests.get(), "a request on join");
        now.addAndGet(400 * MS);
        forwarder.onKeyframeRequest("v", 0);
        assertEquals(2, requests.get(), "waiting for its first keyframe: heard");
        assertEquals(1, stats.keyframeRequestsHonoured());
        forwarder.onSourceRtp(vp8(1, true));
        // 50 PLIs a second for 4 s, with the source sending between them.
        int sequence = 2;
        for (int i = 0; i < 200; i++) {
            now.addAndGet(20 * MS);
            forwarder.onSourceRtp(vp8(sequence++, false));
            forwarder.onKeyframeRequest("v", 0);
        }
        assertEquals(2 + 2, requests.get(), "one per 2 s: at 0 s and 2 s of the flood (4 s is its end)");
        assertEquals(200 - 2, stats.keyframeRequestsRefused());
    }

    @Test
    void aViewersReceiverReportTimesItsRoundTripAndSpacesItsResends() throws Exception {
        AtomicLong now = new AtomicLong(1_000 * MS);
        RtpForwarder forwarder = new RtpForwarder((to, datagram, length) -> { }, new KeyframeRequests(350, now::get, ssrc -> { }),
                VideoCodec.VP8, new FeedbackLimits(10, 100, 2_000), new FeedbackStats(), now::get, null);
        byte[] zeros = new byte[SrtpProfile.AES_CM_128_HMAC_SHA1_80.exportLength()];
        forwarder.add("v", new RtpForwarder.Viewer(VIEWER, new RtpRewriter(42),
                SrtpTransformer.forSending(SrtpKeys.fromExporter(SrtpProfile.AES_CM_128_HMAC_SHA1_80, zeros))));
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
        KeyframeRequests keyframes = new KeyframeRequests(350, now::get, ssrc -> requests.incrementAndGet());
        RtpForwarder forwarder = new RtpForwarder((to, datagram, length) -> sent.add(java.util.Arrays.copyOf(datagram, length)), keyframes, VideoCodec.VP8);
        SrtpKeys keys = SrtpKeys.fromExporter(SrtpProfile.AES_CM_128_HMAC_SHA1_80, new byte[SrtpProfile.AES_CM_128_HMAC_SHA1_80.exportLength()]);
        forwarder.add("v", new RtpForwarder.Viewer(VIEWER, new RtpRewriter(42), SrtpTransformer.forSending(keys)));
        forwarder.onSourceRtp(vp8(1, true));
        forwarder.onSourceRtp(vp8(2, false));
        assertEquals(2, sent.size());
        now.addAndGet(1_000_000_000);

        int asked = requests.get();
        byte[] other = vp8(40_000, false);
        other[11] = 8; // SSRC 7 -> 8: the publisher's new connection
        forwarder.onSourceRtp(other);
        assertEquals(2, sent.size(), "the new source's interframe is held back");
        assertEquals(asked + 1, requests.get(), "a keyframe is asked of the new source at once");
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

    /** A layer's packet: SSRC {@code ssrc}, its own numbering, {@code payloadBytes} of VP8 payload. */
    private static byte[] layer(int ssrc, int sequence, long timestamp, boolean keyframe, int payloadBytes) {
        byte[] packet = vp8(sequence, keyframe, payloadBytes);
        java.nio.ByteBuffer.wrap(packet).putInt(4, (int) timestamp).putInt(8, ssrc);
        return packet;
    }

    private static int sequenceOf(byte[] rtp) {
        return java.nio.ByteBuffer.wrap(rtp, 2, 2).getShort() & 0xFFFF;
    }

    private static long timestampOf(byte[] rtp) {
        return java.nio.ByteBuffer.wrap(rtp, 4, 4).getInt() & 0xFFFFFFFFL;
    }

    /** A VP8 forwarder of a source that declared three layers, on the clock {@code now}: what it asks and sends is kept. */
    private static RtpForwarder threeLayers(AtomicLong now, List<Integer> requested, List<byte[]> sent) {
        RtpForwarder forwarder = new RtpForwarder((to, datagram, length) -> sent.add(java.util.Arrays.copyOf(datagram, length)),
                new KeyframeRequests(350, now::get, requested::add), VideoCodec.VP8, FeedbackLimits.DEFAULT, new FeedbackStats(), now::get, null);
        forwarder.expectLayers(3);
        return forwarder;
    }

    /**
     * Three simulcast layers (SSRCs 101, 102, 103 at 1:3:9 of the bytes, sent in the order 102, 103, 101 so that only
     * their rates can rank them): a viewer gets the top one; asked for the lowest, it keeps the top until the lowest's
     * keyframe (asked for at once), then gets only the lowest, numbered on from where it was; a fourth SSRC while all
     * three send is not forwarded.
     */
    @Test
    void aViewerIsFedOneLayerAndSwitchesAtTheNewLayersKeyframe() throws Exception {
        AtomicLong now = new AtomicLong(1_000 * MS);
        List<Integer> requested = new ArrayList<>();
        List<byte[]> sent = new ArrayList<>();
        RtpForwarder forwarder = threeLayers(now, requested, sent);
        SrtpKeys keys = SrtpKeys.fromExporter(SrtpProfile.AES_CM_128_HMAC_SHA1_80, new byte[SrtpProfile.AES_CM_128_HMAC_SHA1_80.exportLength()]);
        int[] ssrcs = {102, 103, 101};
        int[] bytes = {300, 900, 100};
        int[] sequences = {5_000, 60_000, 65_530}; // the low layer's wraps
        long timestamp = 3_000;
        for (int frame = 0; frame < 60; frame++, now.addAndGet(33 * MS), timestamp += 3_000) {
            for (int l = 0; l < 3; l++) {
                forwarder.onSourceRtp(layer(ssrcs[l], sequences[l]++, timestamp + 1_000_000L * l, frame == 0, bytes[l]));
            }
        }
        assertEquals(List.of(101, 102, 103), forwarder.sendingLayers(), "ranked by what each sends");
        forwarder.add("v", new RtpForwarder.Viewer(VIEWER, new RtpRewriter(42), SrtpTransformer.forSending(keys)));
        assertEquals(List.of(103), requested, "the top layer's keyframe, for the viewer that joined");
        for (int l = 0; l < 3; l++) {
            forwarder.onSourceRtp(layer(ssrcs[l], sequences[l]++, timestamp + 1_000_000L * l, ssrcs[l] == 103, bytes[l]));
        }
        assertEquals(1, sent.size(), "the top layer only");
        assertEquals(2, forwarder.layerOf("v"));

        now.addAndGet(400 * MS);
        forwarder.select("v", 0);
        assertEquals(List.of(103, 101), requested, "the lowest layer's keyframe is asked for");
        for (int frame = 0; frame < 3; frame++, now.addAndGet(33 * MS), timestamp += 3_000) {
            for (int l = 0; l < 3; l++) {
                forwarder.onSourceRtp(layer(ssrcs[l], sequences[l]++, timestamp + 1_000_000L * l, false, bytes[l]));
            }
        }
        assertEquals(4, sent.size(), "still the top layer until the lowest one's keyframe");
        forwarder.onSourceRtp(layer(101, sequences[2]++, timestamp + 2_000_000L, true, 100));
        forwarder.onSourceRtp(layer(103, sequences[1]++, timestamp + 1_000_000L, false, 900));
        forwarder.onSourceRtp(layer(101, sequences[2]++, timestamp + 2_000_000L, false, 100));
        assertEquals(6, sent.size(), "the lowest layer from its keyframe on, nothing more of the top");
        assertEquals(0, forwarder.layerOf("v"));
        assertEquals(1, forwarder.switchesOf("v"));

        SrtpTransformer viewer = SrtpTransformer.forClientReceiving(keys);
        List<byte[]> received = new ArrayList<>();
        for (byte[] datagram : sent) {
            received.add(viewer.unprotectRtp(datagram).orElseThrow());
        }
        for (int i = 1; i < received.size(); i++) {
            assertEquals((sequenceOf(received.get(i - 1)) + 1) & 0xFFFF, sequenceOf(received.get(i)), "one stream, no gap, packet " + i);
            assertEquals(42, java.nio.ByteBuffer.wrap(received.get(i), 8, 4).getInt());
        }
        long step = (timestampOf(received.get(4)) - timestampOf(received.get(3))) & 0xFFFFFFFFL;
        assertTrue(step > 0 && step < 90_000, "the timeline goes on by about the time between the packets: " + step);

        forwarder.onSourceSenderReport(new Rtcp.SenderInfo(103, 1L << 40, timestamp));
        assertEquals(6, sent.size(), "a report on a layer the viewer is not fed from is not passed on");
        forwarder.onSourceSenderReport(new Rtcp.SenderInfo(101, 1L << 40, timestamp + 2_000_000L));
        assertEquals(7, sent.size());

        forwarder.onSourceRtp(layer(104, 1, 0, true, 2_000));
        assertEquals(1, forwarder.refusedLayerPackets(), "a fourth SSRC while three send");
        assertEquals(7, sent.size());
    }

    /**
     * Another edge's pull of a three-layer source: every layer, each on its own SSRC of the pull's (taken in the order
     * layers first arrive), with no keyframe gate; a keyframe request names the pull's SSRC and reaches that layer only;
     * a sender report goes out on the SSRC of its layer; a publisher back with new SSRCs takes the stopped layers'
     * SSRCs, numbered on.
     */
    @Test
    void aPullGetsEveryLayerOnItsOwnSsrc() throws Exception {
        AtomicLong now = new AtomicLong(1_000 * MS);
        List<Integer> requested = new ArrayList<>();
        List<byte[]> sent = new ArrayList<>();
        RtpForwarder forwarder = threeLayers(now, requested, sent);
        SrtpKeys keys = SrtpKeys.fromExporter(SrtpProfile.AES_CM_128_HMAC_SHA1_80, new byte[SrtpProfile.AES_CM_128_HMAC_SHA1_80.exportLength()]);
        List<RtpRewriter> pullSsrcs = List.of(new RtpRewriter(11, 96), new RtpRewriter(12, 96), new RtpRewriter(13, 96));
        forwarder.addPullingEdge("edge", new RtpForwarder.Viewer(VIEWER, pullSsrcs.get(0), SrtpTransformer.forSending(keys)), pullSsrcs);
        assertEquals(List.of(), requested, "no keyframe asked for a pull");
        int[] ssrcs = {102, 103, 101};
        int[] sequences = {5_000, 60_000, 65_530};
        for (int frame = 0; frame < 30; frame++, now.addAndGet(33 * MS)) {
            for (int l = 0; l < 3; l++) {
                forwarder.onSourceRtp(layer(ssrcs[l], sequences[l]++, frame * 3_000L, false, 100 * (l + 1)));
            }
        }
        SrtpTransformer edge = SrtpTransformer.forClientReceiving(keys);
        java.util.Map<Integer, List<Integer>> bySsrc = new java.util.TreeMap<>();
        for (byte[] datagram : sent) {
            byte[] rtp = edge.unprotectRtp(datagram).orElseThrow();
            bySsrc.computeIfAbsent(java.nio.ByteBuffer.wrap(rtp, 8, 4).getInt(), k -> new ArrayList<>()).add(sequenceOf(rtp));
        }
        assertEquals(java.util.Set.of(11, 12, 13), bySsrc.keySet(), "each layer on its own SSRC of the pull's");
        bySsrc.values().forEach(seqs -> assertEquals(30, seqs.size(), "every packet of every layer"));

        // The pulling edge lost a packet of one layer: resent from that SSRC's own cache, the SRTP packet first sent.
        byte[] lost = sent.stream().filter(d -> java.nio.ByteBuffer.wrap(d, 8, 4).getInt() == 12) // the SRTP header is clear
                .skip(20).findFirst().orElseThrow();
        List<byte[]> first = List.copyOf(sent);
        sent.clear();
        forwarder.onNack("edge", 12, new int[]{sequenceOf(lost)});
        assertEquals(1, sent.size(), "resent once");
        assertTrue(java.util.Arrays.equals(lost, sent.get(0)), "byte for byte");
        forwarder.onNack("edge", 99, new int[]{sequenceOf(lost)});
        assertEquals(1, sent.size(), "an SSRC the pull was not sent on has nothing to resend");
        sent.clear();
        sent.addAll(first);

        forwarder.onKeyframeRequest("edge", 13);
        assertEquals(List.of(101), requested, "the pull's SSRC 13 carries the third layer to arrive (101)");
        forwarder.onKeyframeRequest("edge", 99);
        assertEquals(List.of(101), requested, "an SSRC the pull was not sent on asks nothing");

        sent.clear();
        forwarder.onSourceSenderReport(new Rtcp.SenderInfo(103, 1L << 40, 0));
        assertEquals(1, sent.size());
        assertEquals(12, Rtcp.senderInfo(edge.unprotectRtcp(sent.get(0)).orElseThrow()).orElseThrow().ssrc(),
                "a layer's report on that layer's SSRC");

        // The publisher comes back on new SSRCs after a silence: they take the SSRCs of the layers that stopped.
        now.addAndGet(1_500 * MS);
        sent.clear();
        for (int l = 0; l < 3; l++) {
            forwarder.onSourceRtp(layer(201 + l, 7, 0, true, 100 * (l + 1)));
        }
        java.util.Map<Integer, Integer> next = new java.util.TreeMap<>();
        for (byte[] datagram : sent) {
            byte[] rtp = edge.unprotectRtp(datagram).orElseThrow();
            next.put(java.nio.ByteBuffer.wrap(rtp, 8, 4).getInt(), sequenceOf(rtp));
        }
        assertEquals(java.util.Set.of(11, 12, 13), next.keySet(), "the new layers reuse the pull's SSRCs");
        next.forEach((ssrc, sequence) -> assertEquals((bySsrc.get(ssrc).get(29) + 1) & 0xFFFF, sequence,
                "SSRC " + ssrc + " numbered on"));
    }

    @Test
    void aPacedViewersKeyframeLeavesAtItsRateAndProbesWaitForItsQueue() throws Exception {
        AtomicLong now = new AtomicLong(1_000 * MS);
        List<byte[]> direct = new ArrayList<>();
        List<Long> pacedAt = new ArrayList<>();
        RtpForwarder forwarder = new RtpForwarder((to, datagram, length) -> direct.add(java.util.Arrays.copyOf(datagram, length)), new KeyframeRequests(350, now::get, ssrc -> { }),
                VideoCodec.VP8, FeedbackLimits.DEFAULT, new FeedbackStats(), now::get, null);
        TransportSequence transport = new TransportSequence(now::get);
        Pacer pacer = new Pacer((datagram, length) -> pacedAt.add(now.get()), () -> { }, transport, now::get);
        pacer.rate(1_000_000);
        byte[] zeros = new byte[SrtpProfile.AES_CM_128_HMAC_SHA1_80.exportLength()];
        forwarder.add("v", new RtpForwarder.Viewer(VIEWER, new RtpRewriter(42, 96, 0, 5, transport),
                SrtpTransformer.forSending(SrtpKeys.fromExporter(SrtpProfile.AES_CM_128_HMAC_SHA1_80, zeros)), pacer));
        // A 36 kB keyframe at once, then a probe asks for padding.
        forwarder.onSourceRtp(vp8(0, true, 1_200));
        for (int i = 1; i < 30; i++) {
            forwarder.onSourceRtp(vp8(i, false, 1_200));
        }
        forwarder.pad("v", 300_000);
        assertTrue(direct.isEmpty(), "nothing bypasses the pacer");
        assertTrue(pacedAt.size() <= 3, "at most a burst at once: " + pacedAt.size());
        int paddingSentBefore = (int) forwarder.paddingSent();
        for (int t = 0; t < 20; t++) {
            now.addAndGet(10 * MS);
            forwarder.tick();
        }
        assertEquals(paddingSentBefore, forwarder.paddingSent(), "no padding while media waits");
        for (int t = 0; t < 30; t++) {
            now.addAndGet(10 * MS);
            forwarder.tick();
        }
        assertEquals(0, pacer.queuedBytes(), "the keyframe has left");
        assertTrue(forwarder.paddingSent() > paddingSentBefore, "then the probe's padding goes");
        long keyframeMillis = (pacedAt.get(29) - pacedAt.get(0)) / MS;
        assertTrue(keyframeMillis >= 250, "30 packets of ~1.2 kB at 1 Mbit/s take ~290 ms, not 0: " + keyframeMillis + " ms");
    }

    /**
     * A fan-out cut into slices on three threads sends every viewer exactly what the forwarding thread alone sends it,
     * in the same order: while viewers join (some waiting for a keyframe, asked for as often) and leave (the slices'
     * bounds move, so a viewer's next packet is forwarded by another thread than its last).
     */
    @Test
    void aFanOutCutIntoSlicesSendsEachViewerWhatOneThreadSends() throws Exception {
        Fed alone = fanOut(null);
        java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Fed sliced;
        try (FanoutWorkers workers = new FanoutWorkers(3, work -> {
            threads.add(Thread.currentThread().getName());
            work.run();
        })) {
            sliced = fanOut(workers);
        }
        assertTrue(threads.size() == 2, "two helper threads took slices: " + threads);
        assertEquals(alone.keyframeRequests(), sliced.keyframeRequests(), "the waiting viewers' keyframe requests");
        assertEquals(alone.sent().keySet(), sliced.sent().keySet());
        int datagrams = 0;
        for (InetSocketAddress viewer : alone.sent().keySet()) {
            // Each run starts a viewer's numbering at random: compared as the viewer reads them, from its first packet.
            List<byte[]> expected = asReceived(viewer, alone.sent().get(viewer));
            List<byte[]> actual = asReceived(viewer, sliced.sent().get(viewer));
            assertEquals(expected.size(), actual.size(), "datagrams to " + viewer);
            for (int i = 0; i < expected.size(); i++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(expected.get(i), actual.get(i), viewer + ", datagram " + i);
            }
            datagrams += expected.size();
        }
        assertTrue(datagrams > 300 * 40, "the viewers were fed: " + datagrams);
    }

    /**
     * The datagrams to {@code viewer} decrypted with its keys, each with its sequence number and timestamp made relative
     * to the first packet's (the rest as sent: SSRC, payload type, marker, payload).
     */
    private static List<byte[]> asReceived(InetSocketAddress viewer, List<byte[]> datagrams) {
        SrtpTransformer receiver = SrtpTransformer.forClientReceiving(SrtpSenderTest.symmetricKeys(SrtpProfile.AEAD_AES_128_GCM, viewer.getPort() - 10_000));
        List<byte[]> read = new ArrayList<>();
        short firstSequence = 0;
        int firstTimestamp = 0;
        for (byte[] datagram : datagrams) {
            java.nio.ByteBuffer rtp = java.nio.ByteBuffer.wrap(receiver.unprotectRtp(datagram).orElseThrow());
            if (read.isEmpty()) {
                firstSequence = rtp.getShort(2);
                firstTimestamp = rtp.getInt(4);
            }
            rtp.putShort(2, (short) (rtp.getShort(2) - firstSequence)).putInt(4, rtp.getInt(4) - firstTimestamp);
            read.add(rtp.array());
        }
        return read;
    }

    /** What each viewer was sent, and the keyframe requests made. */
    private record Fed(java.util.Map<InetSocketAddress, List<byte[]>> sent, int keyframeRequests) {
    }

    /** 300 viewers, then 100 more joining mid-stream and 100 leaving, on {@code workers} (null: none). */
    private static Fed fanOut(FanoutWorkers workers) throws Exception {
        java.util.Map<InetSocketAddress, List<byte[]>> sent = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicLong now = new AtomicLong(1_000 * MS);
        AtomicInteger requests = new AtomicInteger();
        KeyframeRequests keyframes = new KeyframeRequests(350, now::get, ssrc -> requests.incrementAndGet());
        RtpForwarder forwarder = new RtpForwarder((to, datagram, length) -> sent.computeIfAbsent(to,
                t -> java.util.Collections.synchronizedList(new ArrayList<>())).add(java.util.Arrays.copyOf(datagram, length)),
                keyframes, VideoCodec.VP8, FeedbackLimits.DEFAULT, new FeedbackStats(), now::get, workers);
        int sequence = 0;
        for (int step = 0; step < 120; step++) {
            // 300 at first; 99 just after a keyframe (they start from it); 1 that waits 900 ms for the next, asked for
            // again and again whichever slice it is in.
            int joining = step == 0 ? 300 : step == 6 ? 99 : step == 50 ? 1 : 0;
            if (joining > 0) {
                for (int v = 0; v < joining; v++) {
                    int id = step * 1_000 + v;
                    forwarder.add("v" + id, new RtpForwarder.Viewer(new InetSocketAddress("127.0.0.1", 10_000 + id),
                            new RtpRewriter(1_000 + id), SrtpTransformer.forSending(SrtpSenderTest.symmetricKeys(SrtpProfile.AEAD_AES_128_GCM, id))));
                }
            }
            if (step == 80) {
                for (int v = 0; v < 300; v += 3) {
                    forwarder.remove("v" + v);
                }
            }
            forwarder.onSourceRtp(vp8(sequence++, step % 90 == 5));
            now.addAndGet(20 * MS);
        }
        return new Fed(sent, requests.get());
    }
}
