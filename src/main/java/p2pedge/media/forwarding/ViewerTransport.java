package p2pedge.media.forwarding;

import p2pedge.media.rtc.MediaSession;
import p2pedge.media.rtc.Pacer;
import p2pedge.media.rtc.PeerSdp;
import p2pedge.media.rtc.PacketKind;
import p2pedge.media.rtc.RtcpFeedback;
import p2pedge.media.rtc.RtpForwarder;
import p2pedge.media.rtc.RtpRewriter;
import p2pedge.media.rtc.LayerSelection;
import p2pedge.media.rtc.TransportSequence;
import p2pedge.media.rtc.SharedUdpPort;
import p2pedge.media.rtc.SrtpKeys;
import p2pedge.media.rtc.SrtpTransformer;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One viewer's transport, owned in one place: its ICE session on the shared port, the address its DTLS completed
 * on, its SRTP contexts (one receiving its RTCP, one sending shared by its video and audio: it keeps the keys
 * of each SSRC inside it), and its entries in the stream's two forwarders, which send through that
 * context. Its RTCP feedback goes to the video forwarder. {@link #close} ends all of it, once. On the media context.
 */
final class ViewerTransport implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(ViewerTransport.class.getName());

    /**
     * What the viewer receives: its payload types (audio -1: none), whether it is another edge's pull, the id it
     * agreed for abs-send-time on its video (0: none; its receiver then estimates nothing) and for the transport-wide
     * sequence number (0: none; it then reports no arrivals), whether it must get the top layer whatever its path
     * (a Host Peer), and whether what it is sent is paced to its path (with the transport-wide numbering only).
     */
    record Feed(int videoType, int audioType, boolean pullingEdge, int absSendTimeId, int transportId, boolean pinnedTop,
                boolean paced) {
    }

    private final SharedUdpPort port;
    private final ForwardedStream stream;
    /** The viewer's name in the forwarders. */
    private final String id;
    final String ufrag = ForwardedStream.token(8);
    final String password = ForwardedStream.token(24);
    final int videoSsrc;
    /** Its video SSRCs, lowest layer first: one, or for another edge's pull one per layer of the source (the first is videoSsrc). */
    final List<Integer> videoSsrcs;
    /** Never the video's: one sending context protects both, and it keeps one crypto context per SSRC. */
    final int audioSsrc;
    private Feed feed;
    private Runnable onConnected;
    private SrtpTransformer receiving;
    private SrtpTransformer sending;
    /** Its transport-wide numbering and what its feedback says reached it (null until secured, or when not agreed). */
    private TransportSequence transport;
    /** Its layer, chosen from what its feedback says of its path (with the transport-wide numbering only). */
    private LayerSelection selection;
    /** Sends its media no faster than its path carries (null: not paced); one per address it is fed at. */
    private Pacer pacer;
    /** The layer last chosen and whether a probe runs: a new probe starts measuring, and changes are logged (FINE). */
    private int lastLayer = -1;
    private boolean probing;
    /** A layer the viewer is held on whatever its path (diagnostics; -1: none, its path decides). */
    private int pinnedLayer = -1;
    private boolean closed;

    /** @param videoLayers how many video SSRCs it is sent on: 1, or the source's layers for another edge's pull */
    ViewerTransport(SharedUdpPort port, ForwardedStream stream, String id, int videoLayers) {
        this.port = port;
        this.stream = stream;
        this.id = id;
        // Distinct SSRCs: one sending context protects them all, with one crypto context per SSRC.
        Set<Integer> ssrcs = new LinkedHashSet<>();
        while (ssrcs.size() < videoLayers + 1) {
            ssrcs.add(RANDOM.nextInt());
        }
        List<Integer> all = List.copyOf(ssrcs);
        this.videoSsrcs = all.subList(0, videoLayers);
        this.videoSsrc = videoSsrcs.get(0);
        this.audioSsrc = all.get(videoLayers);
    }

    /**
     * The viewer's checks and DTLS handshake are awaited on the port, from the peer of that description; once
     * secured, it is fed {@code feed} and {@code onConnected} runs (once: a later handshake is a move). Once only:
     * false (nothing changed) when it was opened before or is closed.
     */
    boolean open(PeerSdp peer, Feed feed, Runnable onConnected) {
        if (closed || this.feed != null) {
            return false;
        }
        this.feed = feed;
        this.onConnected = onConnected;
        port.open(new MediaSession(ufrag, password, peer.fingerprint(), peer.iceUfrag(), peer.icePassword(), this::secured,
                this::fromViewer, this::checked));
        return true;
    }

    /**
     * The viewer's first ICE check: its DTLS handshake follows, and then its first keyframe is due. Asked for now, that
     * keyframe is on its way while the handshake runs. Not for another edge's pull: it asks for its own viewers' keyframes.
     */
    private void checked() {
        if (!closed && !feed.pullingEdge()) {
            stream.video.keyframeAhead(pinnedLayer >= 0 ? pinnedLayer : Integer.MAX_VALUE);
        }
    }

    /** Whether a handshake completed: the viewer is (or was) fed. */
    boolean connected() {
        return receiving != null;
    }

    /** A connected viewer whose ICE consent lapsed (RFC 7675) or whose address went to another session. */
    boolean consentExpired(long timeoutNanos) {
        return connected() && port.consentExpired(ufrag, timeoutNanos);
    }

    /**
     * The viewer's DTLS completed: media goes to the address it completed on. Again when the viewer moved (a
     * handshake completed on a newly nominated address): its old SRTP contexts are replaced.
     */
    private void secured(SrtpKeys keys) {
        Optional<InetSocketAddress> address = port.addressOf(ufrag);
        if (closed || address.isEmpty()) {
            return; // the address went to another session meanwhile: the consent sweep releases this viewer
        }
        boolean moved = connected();
        leaveForwarders();
        receiving = SrtpTransformer.forReceiving(keys);
        sending = SrtpTransformer.forSending(keys);
        // One numbering for audio and video (transport-wide), kept across a move: the viewer's receiver counts on.
        if (transport == null && feed.transportId() > 0) {
            transport = new TransportSequence(System::nanoTime);
            selection = new LayerSelection(LayerSelection.Rules.DEFAULT, System::nanoTime);
        }
        // What waited for the old address is dropped with its pacer (its NACKs get it back).
        InetSocketAddress to = address.get();
        pacer = transport != null && feed.paced() && !feed.pullingEdge()
                ? new Pacer((datagram, length) -> port.send(to, datagram, length), () -> port.countDropped("pacer: queue full"),
                transport, System::nanoTime) : null;
        if (feed.audioType() >= 0) {
            stream.audio.add(id, new RtpForwarder.Viewer(to,
                    new RtpRewriter(audioSsrc, feed.audioType(), 0, feed.transportId(), transport), sending, pacer));
        }
        RtpRewriter rewriter = new RtpRewriter(videoSsrc, feed.videoType(), feed.absSendTimeId(), feed.transportId(), transport);
        var video = new RtpForwarder.Viewer(to, rewriter, sending, pacer);
        if (feed.pullingEdge()) {
            List<RtpRewriter> layers = new ArrayList<>(List.of(rewriter));
            videoSsrcs.subList(1, videoSsrcs.size()).forEach(ssrc -> layers.add(new RtpRewriter(ssrc, feed.videoType())));
            stream.video.addPullingEdge(id, video, layers);
        } else {
            stream.video.add(id, video);
            if (pinnedLayer >= 0) {
                stream.video.select(id, pinnedLayer);
            }
        }
        if (!moved) {
            onConnected.run();
        }
    }

    /**
     * RTCP from the viewer: PLI/FIR become one collapsed keyframe request (within the viewer's budget); NACKs are
     * answered from the cache (within its budget, once per round trip); its reports time that round trip.
     */
    private void fromViewer(PacketKind kind, byte[] packet, long receivedNanos) {
        if (receiving == null) {
            port.countDropped("media: before DTLS");
            return;
        }
        if (kind != PacketKind.RTCP) {
            port.countDropped("rtp: from a receive-only viewer");
            return;
        }
        Optional<byte[]> plain = receiving.unprotectRtcp(packet);
        if (plain.isEmpty()) {
            port.countDropped("srtcp: refused");
            return;
        }
        RtcpFeedback feedback = RtcpFeedback.parse(plain.get());
        feedback.reports().forEach(block -> stream.video.onReceptionReport(id, block));
        if (feedback.estimateBps() >= 0) {
            stream.video.onEstimate(id, feedback.estimateBps());
        }
        feedback.keyframeSsrcs().forEach(ssrc -> stream.video.onKeyframeRequest(id, ssrc));
        feedback.nacks().forEach(nack -> stream.video.onNack(id, nack.mediaSsrc(), nack.sequences()));
        if (transport != null) {
            feedback.transport().forEach(transport::onFeedback);
        }
    }

    /**
     * Holds the viewer on a layer (0 lowest; above the top: the top) whatever its path says, switched at that layer's
     * next keyframe; a probe it ran stops.
     */
    void pin(int layer) {
        pinnedLayer = Math.max(0, layer);
        probing = false;
        stream.video.pad(id, 0);
        stream.video.select(id, pinnedLayer);
    }

    /**
     * Feeds the viewer the layer its path carries and probes for the next (see {@link LayerSelection}), and paces it at
     * what its path was measured to carry ({@link Pacer#rateFor}); nothing for a viewer without transport-wide
     * feedback, which stays on the top layer, unpaced. On the media context.
     */
    void adaptLayer(StreamRates now) {
        if (selection == null || closed || !connected() || now.layerBps().length == 0) {
            return; // no feedback, or nothing sent yet: no layer to choose
        }
        long[] rates = now.layerBps();
        if (pinnedLayer >= 0) {
            pace(rates, pinnedLayer, now.audioBps());
            return;
        }
        LayerSelection.Decision decision = selection.decide(new LayerSelection.Path(transport.deliveredBps(),
                        transport.lossFraction(), transport.queueingMicros(), transport.probeReceivedBps()), rates,
                now.audioBps(), feed.pinnedTop());
        if (decision.paddingBps() > 0 && !probing) {
            transport.markProbe();
        }
        if (decision.layer() != lastLayer || (decision.paddingBps() > 0) != probing) {
            LOG.fine(() -> "viewer " + id + ": layer " + decision.layer() + " of " + rates.length
                    + (decision.paddingBps() > 0 ? ", probing with " + decision.paddingBps() / 1000 + " kbit/s of padding" : "")
                    + " (delivered " + transport.deliveredBps() / 1000 + " kbit/s, lost " + Math.round(transport.lossFraction() * 100)
                    + " %, queue " + transport.queueingMicros() / 1000 + " ms)");
            lastLayer = decision.layer();
            probing = decision.paddingBps() > 0;
        }
        stream.video.select(id, decision.layer());
        stream.video.pad(id, decision.paddingBps());
        pace(rates, decision.layer(), now.audioBps() + decision.paddingBps());
    }

    /** Paces the viewer for what it is sent: layer {@code layer} (above the top: the top) and {@code otherBps} besides. */
    private void pace(long[] layerBps, int layer, long otherBps) {
        if (pacer != null) {
            pacer.rate(Pacer.rateFor(transport.bottleneckBps(), layerBps[Math.min(layer, layerBps.length - 1)] + otherBps));
        }
    }

    /** What paces the viewer's media, when it is paced. */
    Optional<Pacer> pacer() {
        return Optional.ofNullable(pacer);
    }

    /** What a stream sends now, the same for all its viewers: its layers' rates (lowest first) and its audio's, bit/s. */
    record StreamRates(long[] layerBps, long audioBps) {

        static StreamRates of(ForwardedStream stream) {
            return new StreamRates(stream.video.sendingLayers().stream().mapToLong(stream.video::layerBitsPerSecond).toArray(),
                    Math.round(stream.audio.sourceBytesPerSecond() * 8));
        }
    }

    /** What the viewer's transport-wide feedback says reached it, when it gives any. */
    Optional<TransportSequence> transport() {
        return Optional.ofNullable(transport);
    }

    private void leaveForwarders() {
        stream.video.remove(id);
        stream.audio.remove(id);
    }

    /** Leaves the forwarders, closes the session on the port and drops the SRTP contexts. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        leaveForwarders();
        port.close(ufrag);
        receiving = null;
        sending = null;
    }
}
