package p2pedge.media.rtc;

import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Encode once, forward to all: each video RTP packet a source sends (already authenticated and decrypted)
 * goes to every viewer of the stream, rewritten for that viewer ({@link RtpRewriter}) and protected with that
 * viewer's SRTP keys. No decoding, no re-encoding. A viewer that joins starts from a keyframe (VP8 or H.264, see
 * {@link VideoCodec}), so its decoder never starts mid-picture: one that went by at most
 * {@link #RECENT_KEYFRAME_MILLIS} ago, with what followed it, sent at once ({@link RecentKeyframe}), or else the next
 * one, asked for from the source (collapsed with everyone else's requests by {@link KeyframeRequests}).
 */
public final class RtpForwarder {

    private static final Logger LOG = Logger.getLogger(RtpForwarder.class.getName());

    /**
     * One viewer: where its packets go, how they are rewritten and protected. Its SRTP context is not the
     * forwarder's: the viewer's owner may share it between its video and audio forwarders, and closes it.
     */
    public static final class Viewer {
        private final InetSocketAddress address;
        /** The SSRC it is sent (its own numbering, carried on across the encodings it is fed from). */
        private final Outgoing out;
        private final SrtpTransformer srtp;
        /**
         * What was sent to this viewer, before protection: a NACKed packet is protected again, at the same index and
         * from the same bytes, so the viewer gets exactly the SRTP packet it lost (no keystream is ever used on other
         * data). Video only: the edge offers no NACK for audio, so its packets are not kept.
         */
        private RetransmissionCache sent;
        /** The source encoding (SSRC) this viewer is fed from, once it has one. */
        private int fedFrom;
        private boolean fed;
        /** The layer it should get (0 lowest; above the top: the top), switched to at that layer's next keyframe. */
        private int wantedLayer = Integer.MAX_VALUE;
        private long switches;
        /** A probe: padding to send besides the media, bit/s, and the bytes of it earned and not yet sent. */
        private long paddingBps;
        private double paddingCredit;
        private long paddingAtNanos;
        /** A player, whose decoder must start at a keyframe (another edge's pull is not: the pulling edge gates its own). */
        private boolean gated;
        /** Set when the viewer is added, with the forwarder's limits and clock. */
        private RetransmissionBudget retransmits;
        private KeyframeBudget keyframeBudget;
        /** The last sender report sent to this viewer (NTP middle 32 bits, when), for the RTT its receiver reports give. */
        private long lastReportNtpMiddle = -1;
        private long lastReportSentNanos;
        /** What the viewer's receiver last estimated its path carries (REMB, bit/s; -1: nothing yet). */
        private volatile long estimateBps = -1;
        /** Another edge's pull: one outgoing SSRC per source layer, every layer sent (null for a player). */
        private List<PullSlot> slots;
        /** Paces what it is sent (shared with its audio's entry); null: sent as it comes. */
        private final Pacer pacer;

        public Viewer(InetSocketAddress address, RtpRewriter rewriter, SrtpTransformer srtp) {
            this(address, rewriter, srtp, null);
        }

        /** @param pacer sends its media, padding and resends (null: the forwarder's sender, at once) */
        public Viewer(InetSocketAddress address, RtpRewriter rewriter, SrtpTransformer srtp, Pacer pacer) {
            this.address = address;
            this.out = new Outgoing(rewriter);
            this.srtp = srtp;
            this.pacer = pacer;
        }
    }

    /**
     * One SSRC a viewer is sent on: how packets are rewritten for it, its VP8 picture ids and TL0PICIDX (run on across
     * the encodings it carries; none for other codecs and audio), and what went out on it (for sender reports).
     */
    private static final class Outgoing {
        final RtpRewriter rewriter;
        /** This SSRC's SRTP protection, once it sent a packet: kept here, not looked up per packet. */
        private SrtpSender protection;
        Vp8Numbering vp8;
        long packets;
        long octets;
        long lastSentNanos;

        Outgoing(RtpRewriter rewriter) {
            this.rewriter = rewriter;
        }

        /** Another encoding goes on on this SSRC: its numbering carries on, across the time since the last packet. */
        void newSource(long now, int clockRate) {
            rewriter.newSource((now - lastSentNanos) / 1_000 * clockRate / 1_000_000);
            if (vp8 != null) {
                vp8.newSource();
            }
        }

        /** {@code plain} (rewritten for this SSRC) protected with the viewer's keys for this SSRC. */
        byte[] protect(SrtpTransformer srtp, byte[] plain) throws GeneralSecurityException {
            if (protection == null) {
                protection = srtp.senderFor(rewriter.ssrc());
            }
            return protection.protect(plain);
        }

        /** As {@link #protect(SrtpTransformer, byte[])} for {@code plain[0, length)}, written into {@code out}; returns its length. */
        int protect(SrtpTransformer srtp, byte[] plain, int length, byte[] out) throws GeneralSecurityException {
            if (protection == null) {
                protection = srtp.senderFor(rewriter.ssrc());
            }
            return protection.protect(plain, length, out);
        }

        /** A source packet in this SSRC's terms, counted as sent now; null for one not to send (see {@link RtpRewriter#rewriteInto}). */
        byte[] rewrite(byte[] packet, long now) {
            byte[] out = new byte[packet.length + HeaderExtensions.MAX_STAMP_GROWTH];
            int length = rewrite(packet, now, out);
            return length < 0 ? null : java.util.Arrays.copyOf(out, length);
        }

        /** As {@link #rewrite(byte[], long)}, written into {@code out}; returns its length, or -1 for a packet not to send. */
        int rewrite(byte[] packet, long now, byte[] out) {
            int length = rewriter.rewriteInto(packet, now, out);
            if (length < 0) {
                return -1;
            }
            if (vp8 != null) {
                vp8.rewrite(out, length);
            }
            packets++;
            octets += packet.length - 12; // payload octets, as a sender report counts them
            lastSentNanos = now;
            return length;
        }
    }

    /**
     * One SSRC of another edge's pull, carrying one source layer at a time: taken by the first layer that has none, and
     * by a new layer in place of one that stopped (a publisher that came back), its numbering carried on.
     */
    private static final class PullSlot {
        final Outgoing out;
        /** What went out on this SSRC, for the pulling edge's NACKs (each SSRC has its own sequence numbers). */
        final RetransmissionCache sent;
        /** The source SSRC it carries, once it carries one. */
        int source;
        boolean used;

        PullSlot(Outgoing out, RetransmissionCache sent) {
            this.out = out;
            this.sent = sent;
        }
    }

    private final Map<String, Viewer> viewers = new ConcurrentHashMap<>();
    /** The viewers as an array, for the per-packet loops (walking the map cost a few percent of the fan-out). */
    private Viewer[] fanout = new Viewer[0];
    private final DatagramSink sender;
    /** Threads that share a source packet's fan-out with the forwarding thread (null: it alone). */
    private final FanoutWorkers workers;
    /** Each fan-out slice's arrays for {@link #forward}, reused: the sink copies before it returns. */
    private final SliceArrays[] arrays;
    private final KeyframeRequests keyframes;
    private final VideoCodec codec;
    private final LongAdder forwarded = new LongAdder();
    private final LongAdder retransmitted = new LongAdder();
    /** Late source packets a viewer's numbering had moved past (padding or a new source numbered in since): not sent. */
    private final LongAdder unplaceable = new LongAdder();
    private final LongAdder senderReports = new LongAdder();
    private final FeedbackLimits limits;
    private final FeedbackStats stats;
    private final LongSupplier clock;
    /** The source's rate, which each viewer's retransmission budget is a share of. */
    private final StreamRate sourceRate;
    /** The source's encodings: one, or its simulcast layers. */
    private final SourceLayers layers;
    private long sourceChanges;
    private long refusedLayerPackets;
    /** Padding sent (probes), and the switches made. */
    private long paddingSent;
    private final LongAdder switchCount = new LongAdder();
    /** About 2.5 s of video at 50 packets/s, a few hundred kB per viewer at most. */
    private static final int SENT_HISTORY = 128;
    /**
     * How old a keyframe a joining player may start from (it starts that far behind, and its jitter buffer catches
     * up): the later client of a pair whose host left reached the edge 7-73 ms after the keyframe the first one asked
     * for went by (bench/browser-failover.sh), and without this waited for the next one, 300+ ms later. As long as
     * the source's keyframe requests are kept apart (ForwardedStream: 350 ms, libwebrtc honours none sooner than
     * 300): a joiner either starts from a keyframe or asks for one the encoder makes at once. At 150 ms, one that came
     * 150-350 ms after a keyframe waited for the next request's turn (163 ms once in three runs of that bench).
     */
    static final int RECENT_KEYFRAME_MILLIS = 350;
    /**
     * How long after a player's first ICE check it is expected to be added (its DTLS handshake: 20-40 ms at the
     * median in bench/browser-failover.sh, 100 at the most), for {@link #keyframeAhead}.
     */
    static final int KEYFRAME_AHEAD_MILLIS = 75;
    /** The packets a recent keyframe holds at most with what followed it (a 640x360 keyframe is about 20). */
    private static final int RECENT_KEYFRAME_PACKETS = 96;
    /** Each source encoding's recent keyframe (SSRC to it): touched on the forwarding thread only. */
    private final Map<Integer, RecentKeyframe> recentKeyframes = new java.util.HashMap<>();

    /**
     * @param sender    sends a protected datagram (the shared port)
     * @param keyframes asks the source for a keyframe (video); null for audio, where any packet is a start
     * @param codec     the video codec, whose keyframes viewers start from; null for audio
     */
    public RtpForwarder(DatagramSink sender, KeyframeRequests keyframes, VideoCodec codec) {
        this(sender, keyframes, codec, FeedbackLimits.DEFAULT, new FeedbackStats(), System::nanoTime, null);
    }

    /**
     * @param limits   what a viewer's NACKs and keyframe requests may cost
     * @param stats    where what they cost (and what was refused) is counted
     * @param nanoClock the clock of those budgets and of the source's rate
     * @param workers  threads that share each source packet's fan-out with the forwarding thread (null: none)
     */
    public RtpForwarder(DatagramSink sender, KeyframeRequests keyframes, VideoCodec codec,
                        FeedbackLimits limits, FeedbackStats stats, LongSupplier nanoClock, FanoutWorkers workers) {
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
        this.layers = new SourceLayers(nanoClock);
        this.workers = workers;
        this.arrays = new SliceArrays[workers == null ? 1 : workers.threads()];
        for (int i = 0; i < arrays.length; i++) {
            arrays[i] = new SliceArrays();
        }
    }

    /** The rewritten packet and the protected datagram of one fan-out slice, grown to the largest packet seen. */
    private static final class SliceArrays {
        byte[] plain = new byte[1_500 + HeaderExtensions.MAX_STAMP_GROWTH];
        byte[] scratch = new byte[plain.length + SrtpProfile.MAX_TAG];
    }

    /**
     * A new viewer's own state: what its feedback may cost, and its VP8 numbering.
     *
     * @param pullingEdge another edge of the cluster: its keyframe requests are its own viewers' joins (it gates them on
     *                    keyframes and collapses their requests itself), so they are not budgeted here
     */
    private void prepare(Viewer viewer, boolean pullingEdge) {
        viewer.out.vp8 = vp8Numbering();
        // A pull keeps what it was sent per SSRC (its slots), not here.
        viewer.sent = codec != null && !pullingEdge ? new RetransmissionCache(SENT_HISTORY) : null;
        viewer.retransmits = new RetransmissionBudget(SENT_HISTORY, limits.retransmitWindowFloorMillis(), clock);
        viewer.keyframeBudget = new KeyframeBudget(pullingEdge ? 0 : limits.viewerKeyframeIntervalMillis(), clock);
    }

    /**
     * A player: fed from its layer's recent keyframe at once, when one went by at most {@link #RECENT_KEYFRAME_MILLIS}
     * ago, else from the next one, which is requested now. On the forwarding thread.
     */
    public void add(String viewerId, Viewer viewer) {
        prepare(viewer, false);
        viewer.gated = keyframes != null;
        viewers.put(viewerId, viewer);
        refreshFanout();
        List<Integer> sending = layers.sending();
        if (keyframes == null || sending.isEmpty()) {
            return;
        }
        int target = target(viewer.wantedLayer, sending);
        RecentKeyframe recent = recentKeyframes.get(target);
        long now = clock.getAsLong();
        List<byte[]> start = recent == null ? List.of() : recent.since(now);
        if (start.isEmpty()) {
            stats.startsFromNextKeyframe.increment();
            keyframes.request(target);
            return;
        }
        stats.startsFromRecentKeyframe.increment();
        viewer.fed = true;
        viewer.fedFrom = target;
        for (byte[] packet : start) {
            forward(viewer, packet, HeaderExtensions.blockEnd(packet), now, arrays[0]);
        }
    }

    /**
     * A player's first ICE check came; its DTLS handshake, tens of ms, comes next and then {@link #add}. Unless a
     * keyframe of its layer ({@code layer}: 0 lowest, above the top the top) went by recently enough to start it then
     * ({@link #KEYFRAME_AHEAD_MILLIS} ahead), one is asked for now, so that it is made while the handshake runs
     * instead of after it. Collapsed with everyone's as any request; on the forwarding thread.
     */
    public void keyframeAhead(int layer) {
        List<Integer> sending = layers.sending();
        if (keyframes == null || sending.isEmpty()) {
            return;
        }
        int target = target(layer, sending);
        RecentKeyframe recent = recentKeyframes.get(target);
        if (recent == null || !recent.startsJoinerIn(clock.getAsLong(), KEYFRAME_AHEAD_MILLIS * 1_000_000L)) {
            keyframes.request(target);
        }
    }

    /**
     * Another edge's pull: every layer the source sends, each on its own SSRC ({@code layers}, one rewriter per SSRC
     * the pull was offered; the viewer's own rewriter is the first), from the next packet with no keyframe request,
     * because that edge gates its own viewers on keyframes and asks for one when they join. A keyframe made now for
     * the pull alone would make the encoder ignore that first viewer's request (libwebrtc: 300 ms between keyframes).
     */
    public void addPullingEdge(String viewerId, Viewer viewer, List<RtpRewriter> layers) {
        prepare(viewer, true);
        viewer.slots = layers.stream().map(rewriter -> rewriter == viewer.out.rewriter ? viewer.out : new Outgoing(rewriter))
                .map(out -> {
                    out.vp8 = vp8Numbering();
                    return new PullSlot(out, codec != null ? new RetransmissionCache(SENT_HISTORY) : null);
                }).toList();
        viewers.put(viewerId, viewer);
        refreshFanout();
    }

    /**
     * Removes a viewer; nothing is sent to it afterwards. Call on the context that forwards the source: its owner
     * may then drop or replace the viewer's SRTP context, none of it in use.
     */
    public void remove(String viewerId) {
        if (viewers.remove(viewerId) != null) {
            refreshFanout();
        }
    }

    private void refreshFanout() {
        fanout = viewers.values().toArray(Viewer[]::new);
    }

    public int viewerCount() {
        return viewers.size();
    }

    /**
     * How many layers the source declared (simulcast), 1 for none: with one, another SSRC is a new source; with
     * several, each SSRC up to that many is a layer.
     */
    public void expectLayers(int count) {
        layers.expect(count);
    }

    /** How many layers the source declared (1: one encoding). */
    public int expectedLayers() {
        return layers.expected();
    }

    /** The layers the source is sending now, lowest first (SSRCs). */
    public List<Integer> sendingLayers() {
        return layers.sending();
    }

    /** A source layer's average rate, bit/s. */
    public long layerBitsPerSecond(int ssrc) {
        return layers.bitsPerSecond(ssrc);
    }

    /**
     * The layer a viewer should get (0 lowest; any value above the top layer means the top); it is switched at that
     * layer's next keyframe, asked for now, and keeps its current one until then. On the forwarding thread.
     */
    public void select(String viewerId, int layer) {
        Viewer viewer = viewers.get(viewerId);
        if (viewer == null || layer == viewer.wantedLayer) {
            return;
        }
        viewer.wantedLayer = Math.max(0, layer);
        List<Integer> sending = layers.sending();
        int target = target(viewer.wantedLayer, sending);
        if (keyframes != null && !sending.isEmpty() && (!viewer.fed || viewer.fedFrom != target)) {
            keyframes.request(target);
        }
    }

    /** The layer a viewer is fed from now (0 lowest), or -1 before its first packet or when its layer stopped. */
    public int layerOf(String viewerId) {
        Viewer viewer = viewers.get(viewerId);
        return viewer == null || !viewer.fed ? -1 : layers.sending().indexOf(viewer.fedFrom);
    }

    /** How often a viewer moved from one source encoding to another (layer switches and new sources). */
    public long switchesOf(String viewerId) {
        Viewer viewer = viewers.get(viewerId);
        return viewer == null ? 0 : viewer.switches;
    }

    /**
     * Padding to send a viewer besides its media, in bit/s (0: none): a probe of whether its path carries a higher
     * layer, sent on {@link #tick}. On the forwarding thread.
     */
    public void pad(String viewerId, long bitsPerSecond) {
        Viewer viewer = viewers.get(viewerId);
        long bps = Math.max(0, bitsPerSecond);
        if (viewer != null && viewer.paddingBps != bps) {
            viewer.paddingBps = bps;
            viewer.paddingCredit = 0;
            viewer.paddingAtNanos = clock.getAsLong();
        }
    }

    /**
     * Sends what paced viewers' pacers let out now, and the padding probes have earned since the last tick: call every
     * few ms (on the forwarding thread), so that both go out evenly rather than in bursts a slow line would queue.
     */
    public void tick() {
        long now = clock.getAsLong();
        for (Viewer viewer : fanout) {
            if (viewer.pacer != null) {
                viewer.pacer.drain();
            }
            if (viewer.paddingBps > 0 && (viewer.pacer == null || viewer.pacer.queuedBytes() == 0)) {
                try {
                    sendPadding(viewer, now);
                } catch (GeneralSecurityException e) {
                    LOG.warning("cannot protect padding for " + viewer.address + ": " + e.getMessage());
                }
            }
        }
    }

    /** Padding packets sent since the forwarder started (probes). */
    public long paddingSent() {
        return paddingSent;
    }

    /** Layer switches (and moves to a new source) since the forwarder started. */
    public long switches() {
        return switchCount.sum();
    }

    /** Viewers fed a lower layer than the top one the source sends now. */
    public int viewersBelowTop() {
        List<Integer> sending = layers.sending();
        if (sending.size() < 2) {
            return 0;
        }
        int top = sending.get(sending.size() - 1);
        int below = 0;
        for (Viewer viewer : fanout) {
            if (viewer.fed && viewer.fedFrom != top && sending.contains(viewer.fedFrom)) {
                below++;
            }
        }
        return below;
    }

    /** Packets of a layer beyond the ones the source declared, not forwarded. */
    public long refusedLayerPackets() {
        return refusedLayerPackets;
    }

    /** Asks for a keyframe of every layer the source sends (the edge's own request, e.g. on a new connection). */
    public void requestKeyframes() {
        if (keyframes != null) {
            layers.sending().forEach(keyframes::request);
        }
    }

    /** The SSRC to feed a viewer that wants {@code wantedLayer} (0 lowest): that layer, or the top one when it wants more than there is. */
    private static int target(int wantedLayer, List<Integer> sending) {
        return sending.isEmpty() ? 0 : sending.get(Math.min(Math.max(0, wantedLayer), sending.size() - 1));
    }

    /** The top layer's rate over its last full second, in bytes per second (0 before it sent anything). */
    public double sourceBytesPerSecond() {
        return sourceRate.bytesPerSecond();
    }

    public long forwarded() {
        return forwarded.sum();
    }

    /** Late source packets not sent to a viewer because its numbering had moved past them (see {@link RtpRewriter#rewriteInto}). */
    public long unplaceable() {
        return unplaceable.sum();
    }

    public long retransmitted() {
        return retransmitted.sum();
    }

    /**
     * A viewer lost these packets of {@code mediaSsrc} (its own sequence numbers, from a NACK): resend the ones still
     * kept, each at most once per round trip and within the viewer's budget (a share of the source's rate); the rest
     * are counted. A player has one video SSRC; another edge's pull names the one of the layer it lost packets of.
     * Called on the thread that forwards the source, like {@link #onSourceRtp}.
     */
    public void onNack(String viewerId, int mediaSsrc, int[] viewerSequences) {
        Viewer viewer = viewers.get(viewerId);
        RetransmissionCache sent = viewer == null ? null : viewer.slots == null ? viewer.sent
                : viewer.slots.stream().filter(slot -> slot.out.rewriter.ssrc() == mediaSsrc).map(slot -> slot.sent)
                .findFirst().orElse(null);
        if (sent == null) {
            return;
        }
        // One budget per viewer: a pull's layers share it (and its record of what was resent when, by sequence number).
        double budget = sourceRate.bytesPerSecond() * limits.retransmitBudgetPercent() / 100.0;
        for (int sequence : viewerSequences) {
            int length = sent.length(sequence);
            if (length < 0) {
                stats.nackNotCached.increment(); // too old: the viewer's next PLI will fix it
                continue;
            }
            switch (viewer.retransmits.admit(sequence, length + viewer.srtp.profile().tagLength(), budget)) {
                case SEND -> {
                    byte[] secured;
                    try {
                        secured = viewer.srtp.protectRtp(sent.get(sequence));
                    } catch (GeneralSecurityException e) {
                        LOG.warning("cannot protect a retransmission for " + viewer.address + ": " + e.getMessage());
                        return;
                    }
                    emit(viewer, secured, secured.length, false);
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
     * A viewer asks for a keyframe (PLI/FIR) of {@code mediaSsrc}: passed on to the source (collapsed with everyone's)
     * while the viewer waits for its first keyframe, else at most once per interval per viewer. A player is asked a
     * keyframe of the layer it is fed (whatever SSRC it names: it knows one); another edge's pull, of the layer it
     * names. Video only; on the forwarding thread.
     */
    public void onKeyframeRequest(String viewerId, int mediaSsrc) {
        Viewer viewer = viewers.get(viewerId);
        if (viewer == null || keyframes == null) {
            return;
        }
        List<Integer> sending = layers.sending();
        if (sending.isEmpty()) {
            return;
        }
        if (viewer.slots != null) {
            viewer.slots.stream().filter(slot -> slot.used && slot.out.rewriter.ssrc() == mediaSsrc && sending.contains(slot.source))
                    .findFirst().ifPresent(slot -> {
                        stats.keyframeHonoured.increment();
                        keyframes.request(slot.source);
                    });
            return;
        }
        int target = target(viewer.wantedLayer, sending);
        if (viewer.keyframeBudget.admit(!viewer.fed || viewer.fedFrom != target)) {
            stats.keyframeHonoured.increment();
            keyframes.request(target);
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
        if (viewer == null || block.ssrc() != viewer.out.rewriter.ssrc() || block.lastSenderReport() != viewer.lastReportNtpMiddle) {
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

    /** A viewer's latest estimate (REMB, bit/s); -1 when it sent none or is unknown. */
    public long estimateOf(String viewerId) {
        Viewer viewer = viewers.get(viewerId);
        return viewer == null ? -1 : viewer.estimateBps;
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
        for (Viewer viewer : fanout) {
            if (viewer.slots != null) {
                for (PullSlot slot : viewer.slots) {
                    if (slot.used && slot.source == report.ssrc()) {
                        sendReport(viewer, slot.out, report);
                    }
                }
                continue;
            }
            // Each layer has its own timeline: a report maps only the one the viewer is fed from.
            if (viewer.fed && viewer.fedFrom == report.ssrc()) {
                sendReport(viewer, viewer.out, report);
            }
        }
    }

    /** The source's report in the terms of one of the viewer's SSRCs ({@code out}), with what went out on it. */
    private void sendReport(Viewer viewer, Outgoing out, Rtcp.SenderInfo report) {
        OptionalLong timestamp = out.rewriter.timestamp(report.rtpTimestamp());
        if (timestamp.isEmpty()) {
            return;
        }
        try {
            sender.send(viewer.address, viewer.srtp.protectRtcp(Rtcp.senderReport(out.rewriter.ssrc(),
                    report.ntpTimestamp(), timestamp.getAsLong(), out.packets, out.octets)));
            if (out == viewer.out) {
                viewer.lastReportNtpMiddle = (report.ntpTimestamp() >>> 16) & 0xFFFFFFFFL;
                viewer.lastReportSentNanos = clock.getAsLong();
            }
            senderReports.increment();
        } catch (GeneralSecurityException e) {
            LOG.warning("cannot protect a sender report for " + viewer.address + ": " + e.getMessage());
        }
    }

    public long senderReports() {
        return senderReports.sum();
    }

    /** How often the source's SSRC changed (a publisher re-published on a new connection). */
    public long sourceChanges() {
        return sourceChanges;
    }

    /** Keeps what was sent to a video viewer for its NACKs (see {@link RetransmissionCache#put}). */
    private static void keep(Viewer viewer, byte[] plain, int length, byte[] source, int sourcePayload) {
        if (viewer.sent != null) {
            viewer.sent.put(plain, length, source, sourcePayload);
        }
    }

    /**
     * A protected packet, {@code secured[0, length)}, to a viewer, through its pacer when it has one ({@code numbered}:
     * it just took the viewer's latest transport-wide number); the array may be written again once this returns.
     */
    private void emit(Viewer viewer, byte[] secured, int length, boolean numbered) {
        if (viewer.pacer != null) {
            viewer.pacer.send(secured, length, numbered);
        } else {
            sender.send(viewer.address, secured, length);
        }
    }

    /**
     * A source packet to a player, rewritten and protected for it, kept for its NACKs. On the forwarding thread, or a
     * fan-out slice's while the forwarding thread waits for it.
     */
    private void forward(Viewer viewer, byte[] packet, int sourcePayload, long now, SliceArrays mine) {
        try {
            // A viewer's SRTP context is touched only here, by one thread at a time. Rewritten and protected in the
            // slice's two arrays: nothing allocated per viewer packet (a pacer copies the datagram only when it has
            // to wait, the NACK cache only the rewritten head).
            if (mine.plain.length < packet.length + HeaderExtensions.MAX_STAMP_GROWTH) {
                mine.plain = new byte[packet.length + HeaderExtensions.MAX_STAMP_GROWTH];
                mine.scratch = new byte[mine.plain.length + SrtpProfile.MAX_TAG];
            }
            int plainLength = viewer.out.rewrite(packet, now, mine.plain);
            if (plainLength < 0) {
                unplaceable.increment();
                return;
            }
            int securedLength = viewer.out.protect(viewer.srtp, mine.plain, plainLength, mine.scratch);
            emit(viewer, mine.scratch, securedLength, true);
            keep(viewer, mine.plain, plainLength, packet, sourcePayload);
            forwarded.increment();
        } catch (GeneralSecurityException e) {
            LOG.warning("cannot protect a packet for " + viewer.address + ": " + e.getMessage());
        }
    }

    /** Padding packets of up to 255 bytes (RTP's limit) for the credit a probe earned since the last tick. */
    private void sendPadding(Viewer viewer, long now) throws GeneralSecurityException {
        viewer.paddingCredit = Math.min(PADDING_BURST_BYTES,
                viewer.paddingCredit + viewer.paddingBps * ((now - viewer.paddingAtNanos) / 1e9) / 8);
        viewer.paddingAtNanos = now;
        while (viewer.paddingCredit >= 255) {
            java.util.Optional<byte[]> padding = viewer.out.rewriter.padding(255, now);
            if (padding.isEmpty()) {
                return;
            }
            byte[] secured = viewer.out.protect(viewer.srtp, padding.get());
            keep(viewer, padding.get(), padding.get().length, null, -1);
            emit(viewer, secured, secured.length, true);
            viewer.paddingCredit -= 255 + 12;
            paddingSent++;
        }
    }

    /**
     * A source packet to another edge's pull, on the SSRC its layer has there: one is taken for a layer seen first (a
     * free one, or one whose layer stopped, its numbering carried on); a layer beyond the SSRCs offered is not sent.
     * Kept for the pulling edge's NACKs in the slot's own cache (each SSRC numbers its packets on its own).
     */
    private void forwardToPull(Viewer viewer, int ssrc, byte[] packet, int sourcePayload, List<Integer> sending, long now) {
        PullSlot slot = null;
        for (PullSlot candidate : viewer.slots) {
            if (candidate.used && candidate.source == ssrc) {
                slot = candidate;
                break;
            }
        }
        if (slot == null) {
            slot = viewer.slots.stream().filter(s -> !s.used).findFirst()
                    .or(() -> viewer.slots.stream().filter(s -> !sending.contains(s.source)).findFirst()).orElse(null);
            if (slot == null) {
                return;
            }
            if (slot.used) {
                slot.out.newSource(now, 90_000);
            }
            slot.used = true;
            slot.source = ssrc;
        }
        byte[] plain = slot.out.rewrite(packet, now);
        if (plain == null) {
            unplaceable.increment();
            return;
        }
        try {
            sender.send(viewer.address, slot.out.protect(viewer.srtp, plain));
            if (slot.sent != null) {
                slot.sent.put(plain, plain.length, packet, sourcePayload);
            }
            forwarded.increment();
        } catch (GeneralSecurityException e) {
            LOG.warning("cannot protect a packet for " + viewer.address + ": " + e.getMessage());
        }
    }

    /**
     * The most padding sent at once: 4 packets, about 1 kB, 20 ms of a 400 kbit/s line (a larger burst would queue on
     * a slow line by itself and read as congestion); at a tick every 10 ms, up to about 850 kbit/s.
     */
    private static final int PADDING_BURST_BYTES = 4 * 267;

    /** A new SSRC's VP8 numbering (none for other codecs and audio). */
    private Vp8Numbering vp8Numbering() {
        return codec == VideoCodec.VP8 ? new Vp8Numbering() : null;
    }

    private static int ssrcOf(byte[] packet) {
        return ((packet[8] & 0xFF) << 24) | ((packet[9] & 0xFF) << 16) | ((packet[10] & 0xFF) << 8) | (packet[11] & 0xFF);
    }

    /**
     * One slice of a source packet's fan-out: the viewers {@code all[from, to)} fed from {@code ssrc}, each moved to it
     * at its keyframe; returns whether one of them waits for that keyframe. Touches only those viewers' state.
     */
    private boolean fanOut(Viewer[] all, int from, int to, int ssrc, byte[] packet, List<Integer> sending, boolean keyframe,
                           int sourcePayload, long now, SliceArrays mine) {
        boolean waiting = false;
        for (int i = from; i < to; i++) {
            Viewer viewer = all[i];
            if (viewer.slots != null) {
                forwardToPull(viewer, ssrc, packet, sourcePayload, sending, now);
                continue;
            }
            if (!viewer.fed || viewer.fedFrom != ssrc) {
                if (target(viewer.wantedLayer, sending) != ssrc) {
                    continue; // another layer's packet
                }
                if (viewer.gated && !keyframe) {
                    waiting = true;
                    continue;
                }
                if (viewer.fed) {
                    // RTP video runs at 90 kHz; the only audio forwarded is Opus, always 48 kHz (RFC 7587).
                    viewer.out.newSource(now, codec != null ? 90_000 : 48_000);
                    viewer.switches++;
                    switchCount.increment();
                }
                viewer.fed = true;
                viewer.fedFrom = ssrc;
            }
            forward(viewer, packet, sourcePayload, now, mine);
        }
        return waiting;
    }

    /**
     * A source packet, plain RTP. Called from one thread (the port's handler). Each viewer is fed from one encoding
     * (SSRC): its layer, or for a one-layer source the source itself. It moves to another (the layer it wants, or a
     * new source's, when a publisher came back on a new connection) at that encoding's keyframe, asked for while it
     * waits: its numbering goes on where it was ({@link RtpRewriter#newSource}), so the player sees one stream and
     * its decoder never starts mid-picture. Another edge's pull moves at once: it gates its own viewers.
     *
     * @return false for a packet of a layer beyond the ones the source declared (not forwarded, counted)
     */
    public boolean onSourceRtp(byte[] packet) {
        int ssrc = ssrcOf(packet);
        SourceLayers.Arrival arrival = layers.onPacket(ssrc, packet.length, codec == null ? 0 : codec.keyframePixels(packet));
        if (arrival == SourceLayers.Arrival.REFUSED) {
            refusedLayerPackets++;
            return false;
        }
        List<Integer> sending = layers.sending();
        if (arrival == SourceLayers.Arrival.NEW_SOURCE) {
            sourceChanges++;
            recentKeyframes.keySet().retainAll(sending); // a former source's keyframes start nobody
        }
        if (!sending.isEmpty() && sending.get(sending.size() - 1) == ssrc) {
            sourceRate.add(packet.length);
        }
        boolean keyframe = codec != null && codec.startsKeyframe(packet);
        if (keyframe) {
            keyframes.satisfied(ssrc);
        }
        long now = clock.getAsLong();
        if (codec != null) {
            recentKeyframes.computeIfAbsent(ssrc, s -> new RecentKeyframe(RECENT_KEYFRAME_MILLIS, RECENT_KEYFRAME_PACKETS))
                    .onPacket(packet, keyframe, now);
        }
        int sourcePayload = HeaderExtensions.blockEnd(packet);
        Viewer[] all = fanout;
        boolean waiting;
        if (workers == null || workers.slices(all.length) == 1) {
            waiting = fanOut(all, 0, all.length, ssrc, packet, sending, keyframe, sourcePayload, now, arrays[0]);
        } else {
            boolean[] waited = new boolean[arrays.length];
            workers.run(all.length, (slice, from, to) -> waited[slice] =
                    fanOut(all, from, to, ssrc, packet, sending, keyframe, sourcePayload, now, arrays[slice]));
            waiting = false;
            for (boolean w : waited) {
                waiting |= w;
            }
        }
        if (waiting) {
            // Encoders ignore requests that come too soon after their last keyframe (libwebrtc: 300 ms), so keep
            // asking, at the collapsed rate, until the viewers that wait have their keyframe.
            keyframes.request(ssrc);
        } else if (keyframes != null) {
            keyframes.flush();
        }
        return true;
    }
}
