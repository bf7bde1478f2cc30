package p2pedge.media.rtc;

import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Encode once, forward to all: each video RTP packet a source sends (already authenticated and decrypted)
 * goes to every viewer of the stream, rewritten for that viewer ({@link RtpRewriter}) and protected with that
 * viewer's SRTP keys. No decoding, no re-encoding. A viewer that joins asks the source for a keyframe
 * (collapsed with everyone else's by {@link KeyframeRequests}) and receives packets from that keyframe on
 * (VP8 or H.264, see {@link VideoCodec}),
 * so its decoder never starts mid-picture.
 */
public final class RtpForwarder {

    private static final Logger LOG = Logger.getLogger(RtpForwarder.class.getName());

    /**
     * One viewer: where its packets go, how they are rewritten and protected. Its SRTP context is not the
     * forwarder's: the viewer's owner may share it between its video and audio forwarders, and closes it.
     */
    public static final class Viewer {
        private final InetSocketAddress address;
        private final RtpRewriter rewriter;
        private final SrtpTransformer srtp;
        /** What was sent to this viewer, protected: a NACKed packet is resent byte for byte (re-protecting it would reuse its keystream index). */
        private final RetransmissionCache sent = new RetransmissionCache(SENT_HISTORY);
        private boolean synced;
        /** A player, whose decoder must start at a keyframe (another edge's pull is not: the pulling edge gates its own). */
        private boolean gated;
        private long packets;
        private long octets;
        /** Set when the viewer is added, with the forwarder's limits and clock. */
        private RetransmissionBudget retransmits;
        private KeyframeBudget keyframeBudget;
        /** The last sender report sent to this viewer (NTP middle 32 bits, when), for the RTT its receiver reports give. */
        private long lastReportNtpMiddle = -1;
        private long lastReportSentNanos;
        /** What the viewer's receiver last estimated its path carries (REMB, bit/s; -1: nothing yet). */
        private volatile long estimateBps = -1;

        public Viewer(InetSocketAddress address, RtpRewriter rewriter, SrtpTransformer srtp) {
            this.address = address;
            this.rewriter = rewriter;
            this.srtp = srtp;
        }
    }

    private final Map<String, Viewer> viewers = new ConcurrentHashMap<>();
    private final BiConsumer<InetSocketAddress, byte[]> sender;
    private final KeyframeRequests keyframes;
    private final VideoCodec codec;
    private final LongAdder forwarded = new LongAdder();
    private final LongAdder retransmitted = new LongAdder();
    private final LongAdder senderReports = new LongAdder();
    private final FeedbackLimits limits;
    private final FeedbackStats stats;
    private final LongSupplier clock;
    /** The source's rate, which each viewer's retransmission budget is a share of. */
    private final StreamRate sourceRate;
    /** The source's SSRC (0 until its first packet) and when its last packet came: a new SSRC is a new source. */
    private int sourceSsrc;
    private boolean hasSource;
    private long lastSourceNanos;
    private long sourceChanges;
    /** About 2.5 s of video at 50 packets/s, a few hundred kB per viewer at most. */
    private static final int SENT_HISTORY = 128;

    /**
     * @param sender    sends a protected datagram (the shared port)
     * @param keyframes asks the source for a keyframe (video); null for audio, where any packet is a start
     * @param codec     the video codec, whose keyframes viewers start from; null for audio
     */
    public RtpForwarder(BiConsumer<InetSocketAddress, byte[]> sender, KeyframeRequests keyframes, VideoCodec codec) {
        this(sender, keyframes, codec, FeedbackLimits.DEFAULT, new FeedbackStats(), System::nanoTime);
    }

    /**
     * @param limits   what a viewer's NACKs and keyframe requests may cost
     * @param stats    where what they cost (and what was refused) is counted
     * @param nanoClock the clock of those budgets and of the source's rate
     */
    public RtpForwarder(BiConsumer<InetSocketAddress, byte[]> sender, KeyframeRequests keyframes, VideoCodec codec,
                        FeedbackLimits limits, FeedbackStats stats, LongSupplier nanoClock) {
        if ((keyframes == null) != (codec == null)) {
            throw new IllegalArgumentException("video needs both keyframe requests and a codec, audio neither");
        }
        this.sender = sender;
        this.keyframes = keyframes;
        this.codec = codec;
        this.limits = limits;
        this.stats = stats;
        this.clock = nanoClock;
        this.sourceRate = new StreamRate(nanoClock);
    }

    /**
     * @param pullingEdge another edge of the cluster: its keyframe requests are its own viewers' joins (it gates them on
     *                    keyframes and collapses their requests itself), so they are not budgeted here
     */
    private void budget(Viewer viewer, boolean pullingEdge) {
        viewer.retransmits = new RetransmissionBudget(SENT_HISTORY, limits.retransmitWindowFloorMillis(), clock);
        viewer.keyframeBudget = new KeyframeBudget(pullingEdge ? 0 : limits.viewerKeyframeIntervalMillis(), clock);
    }

    /** A player: fed from the next keyframe, which is requested now. */
    public void add(String viewerId, Viewer viewer) {
        viewer.synced = keyframes == null;
        budget(viewer, false);
        viewer.gated = keyframes != null;
        viewers.put(viewerId, viewer);
        if (keyframes != null) {
            keyframes.request();
        }
    }

    /**
     * Another edge's pull: fed from the next packet with no keyframe request, because that edge gates its own
     * viewers on keyframes and asks for one when they join. A keyframe made now for the pull alone would make the
     * encoder ignore that first viewer's request (libwebrtc: 300 ms between keyframes).
     */
    public void addPullingEdge(String viewerId, Viewer viewer) {
        viewer.synced = true;
        budget(viewer, true);
        viewers.put(viewerId, viewer);
    }

    /**
     * Removes a viewer; nothing is sent to it afterwards. Call on the context that forwards the source: its owner
     * may then close the viewer's SRTP context (jitsi-srtp may hold native OpenSSL contexts), none of it in use.
     */
    public void remove(String viewerId) {
        viewers.remove(viewerId);
    }

    public int viewerCount() {
        return viewers.size();
    }

    /** The source's rate over its last full second, in bytes per second (0 before it sent anything). */
    public double sourceBytesPerSecond() {
        return sourceRate.bytesPerSecond();
    }

    public long forwarded() {
        return forwarded.sum();
    }

    public long retransmitted() {
        return retransmitted.sum();
    }

    /**
     * A viewer lost these packets (its own sequence numbers, from a NACK): resend the ones still kept, each at most
     * once per round trip and within the viewer's budget (a share of the source's rate); the rest are counted.
     * Called on the thread that forwards the source, like {@link #onSourceRtp}.
     */
    public void onNack(String viewerId, int[] viewerSequences) {
        Viewer viewer = viewers.get(viewerId);
        if (viewer == null) {
            return;
        }
        double budget = sourceRate.bytesPerSecond() * limits.retransmitBudgetPercent() / 100.0;
        for (int sequence : viewerSequences) {
            byte[] secured = viewer.sent.get(sequence);
            if (secured == null) {
                stats.nackNotCached.increment(); // too old: the viewer's next PLI will fix it
                continue;
            }
            switch (viewer.retransmits.admit(sequence, secured.length, budget)) {
                case SEND -> {
                    sender.accept(viewer.address, secured);
                    retransmitted.increment();
                    stats.retransmittedPackets.increment();
                    stats.retransmittedBytes.add(secured.length);
                }
                case REPEATED -> stats.nackRepeated.increment();
                case OVER_BUDGET -> stats.nackOverBudget.increment();
            }
        }
    }

    /**
     * A viewer asks for a keyframe (PLI/FIR): passed on to the source (collapsed with everyone's) while the viewer
     * waits for its first keyframe, else at most once per interval per viewer. Video only; on the forwarding thread.
     */
    public void onKeyframeRequest(String viewerId) {
        Viewer viewer = viewers.get(viewerId);
        if (viewer == null || keyframes == null) {
            return;
        }
        if (viewer.keyframeBudget.admit(!viewer.synced)) {
            stats.keyframeHonoured.increment();
            keyframes.request();
        } else {
            stats.keyframeRefused.increment();
        }
    }

    /**
     * A viewer's reception report on what it got from the edge: when it echoes the last sender report sent to it
     * (LSR) the round trip is now - then - DLSR, and its resends are spaced by that. On the forwarding thread.
     */
    public void onReceptionReport(String viewerId, Rtcp.ReportBlock block) {
        Viewer viewer = viewers.get(viewerId);
        if (viewer == null || block.ssrc() != viewer.rewriter.ssrc() || block.lastSenderReport() != viewer.lastReportNtpMiddle) {
            return;
        }
        long rtt = clock.getAsLong() - viewer.lastReportSentNanos - block.delaySinceLastSenderReport() * 1_000_000_000L / 65_536;
        if (rtt >= 0) {
            viewer.retransmits.roundTrip(rtt);
        }
    }

    /** What a viewer's receiver estimates its path from the edge carries (REMB), in bit/s. On the forwarding thread. */
    public void onEstimate(String viewerId, long bitsPerSecond) {
        Viewer viewer = viewers.get(viewerId);
        if (viewer != null) {
            viewer.estimateBps = bitsPerSecond;
        }
    }

    /** Each viewer's latest estimate (REMB, bit/s), for those that sent one. */
    public Map<String, Long> estimates() {
        Map<String, Long> out = new java.util.TreeMap<>();
        viewers.forEach((id, viewer) -> {
            if (viewer.estimateBps >= 0) {
                out.put(id, viewer.estimateBps);
            }
        });
        return out;
    }

    /** The resend window of a viewer (its RTT, floored), for tests and diagnostics; -1 for an unknown viewer. */
    public long retransmitWindowNanos(String viewerId) {
        Viewer viewer = viewers.get(viewerId);
        return viewer == null ? -1 : viewer.retransmits.windowNanos();
    }

    /**
     * The source's sender report, passed on to every viewer in its own terms (SSRC, RTP timeline, its own packet
     * and octet counts) so players can map RTP time to the source's clock and keep audio and video in sync.
     * Called on the thread that forwards the source.
     */
    public void onSourceSenderReport(Rtcp.SenderInfo report) {
        for (Viewer viewer : viewers.values()) {
            OptionalLong timestamp = viewer.rewriter.timestamp(report.rtpTimestamp());
            if (!viewer.synced || timestamp.isEmpty()) {
                continue;
            }
            try {
                sender.accept(viewer.address, viewer.srtp.protectRtcp(Rtcp.senderReport(viewer.rewriter.ssrc(),
                        report.ntpTimestamp(), timestamp.getAsLong(), viewer.packets, viewer.octets)));
                viewer.lastReportNtpMiddle = (report.ntpTimestamp() >>> 16) & 0xFFFFFFFFL;
                viewer.lastReportSentNanos = clock.getAsLong();
                senderReports.increment();
            } catch (GeneralSecurityException e) {
                LOG.warning("cannot protect a sender report for " + viewer.address + ": " + e.getMessage());
            }
        }
    }

    public long senderReports() {
        return senderReports.sum();
    }

    /** How often the source's SSRC changed (a publisher re-published on a new connection). */
    public long sourceChanges() {
        return sourceChanges;
    }

    /**
     * A new SSRC is a new source (the publisher re-published on a new connection): every viewer's numbering goes on
     * where it was, its timeline advanced by the time the source was away, and players wait for the new source's
     * first keyframe, which is asked for now. Viewers need not reconnect.
     */
    private void onSourceSsrc(int ssrc) {
        long now = clock.getAsLong();
        if (hasSource && ssrc != sourceSsrc) {
            sourceChanges++;
            // RTP video runs at 90 kHz; the only audio forwarded is Opus, always 48 kHz (RFC 7587).
            long gapTicks = (now - lastSourceNanos) / 1_000 * (codec != null ? 90_000 : 48_000) / 1_000_000;
            for (Viewer viewer : viewers.values()) {
                viewer.rewriter.newSource(gapTicks);
                if (viewer.gated) {
                    viewer.synced = false;
                }
            }
            if (keyframes != null) {
                keyframes.request();
            }
        }
        hasSource = true;
        sourceSsrc = ssrc;
        lastSourceNanos = now;
    }

    private static int ssrcOf(byte[] packet) {
        return ((packet[8] & 0xFF) << 24) | ((packet[9] & 0xFF) << 16) | ((packet[10] & 0xFF) << 8) | (packet[11] & 0xFF);
    }

    /** A source packet, plain RTP. Called from one thread (the port's handler). */
    public void onSourceRtp(byte[] packet) {
        sourceRate.add(packet.length);
        onSourceSsrc(ssrcOf(packet));
        boolean keyframe = codec != null && codec.startsKeyframe(packet);
        if (keyframe) {
            keyframes.satisfied();
        }
        if (keyframes != null) {
            keyframes.flush();
        }
        boolean waiting = false;
        for (Viewer viewer : viewers.values()) {
            if (!viewer.synced) {
                if (!keyframe) {
                    waiting = true;
                    continue;
                }
                viewer.synced = true;
            }
            try {
                // A viewer's SRTP context is touched only here, on this one thread.
                byte[] secured = viewer.srtp.protectRtp(viewer.rewriter.rewrite(packet, clock.getAsLong()));
                viewer.packets++;
                viewer.octets += packet.length - 12; // payload octets, as a sender report counts them
                viewer.sent.put(secured);
                sender.accept(viewer.address, secured);
                forwarded.increment();
            } catch (GeneralSecurityException e) {
                LOG.warning("cannot protect a packet for " + viewer.address + ": " + e.getMessage());
            }
        }
        if (waiting) {
            // Encoders ignore requests that come too soon after their last keyframe (libwebrtc: 300 ms), so keep
            // asking, at the collapsed rate, until the viewers that wait have their keyframe.
            keyframes.request();
        }
    }
}
