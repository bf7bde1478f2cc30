package p2pedge.media.forwarding;

import io.vertx.core.Context;
import p2pedge.media.rtc.FanoutWorkers;
import p2pedge.media.rtc.FeedbackLimits;
import p2pedge.media.rtc.FeedbackStats;
import p2pedge.media.rtc.KeyframeRequests;
import p2pedge.media.rtc.PeerSdp;
import p2pedge.media.rtc.ReceptionStats;
import p2pedge.media.rtc.Rtcp;
import p2pedge.media.rtc.RtpForwarder;
import p2pedge.media.rtc.SharedUdpPort;
import p2pedge.media.rtc.SourceNacks;
import p2pedge.media.rtc.VideoCodec;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One stream on the forwarding media plane: its {@link StreamSource} (a publisher on this edge's port, or a pull
 * from another edge) hands it plain RTP, which a video and an audio {@link RtpForwarder} fan out to every viewer.
 * The stream keeps what the source sent (for the publisher's receiver reports), passes the source's sender reports
 * on to the viewers and collapses viewers' keyframe requests into the source's.
 */
final class ForwardedStream implements AutoCloseable {

    /** The payload types viewers are offered; a source's own are rewritten to these. */
    static final int OPUS = 111;
    /** Just over libwebrtc's own minimum between keyframes (300 ms): a request sooner would be ignored anyway. */
    private static final int KEYFRAME_REQUEST_INTERVAL_MS = 350;
    /**
     * A source's lost video packet is asked for again, up to {@link #SOURCE_NACK_TRIES} times, after the source's
     * round trip as its answers measure it (SourceNacks), never sooner than this: the wait before the first answer,
     * and a floor a reordered packet cannot talk down (a sender ignores a request repeated within its own round
     * trip anyway: libwebrtc does).
     */
    private static final long SOURCE_NACK_RETRY_FLOOR_MS = 100;
    private static final int SOURCE_NACK_TRIES = 3;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String name;
    private final SharedUdpPort port;
    private final Context context;
    private final KeyframeRequests keyframes;
    final VideoCodec codec;
    final RtpForwarder video;
    final RtpForwarder audio;
    /** The current source; a re-published stream gets a new one and the forwarders carry their numbering over. */
    private StreamSource source;
    private int sourceAudioSsrc = -1;
    /** What each of the source's video encodings (its layers) sent, for the receiver reports the publisher needs per SSRC. */
    private final Map<Integer, ReceptionStats> videoReception = new HashMap<>();
    private ReceptionStats audioReception = new ReceptionStats(48_000);
    private long lastPacketNanos;
    private long sourceVideoPackets;
    /** The source's lost video packets asked for again (when it resends). */
    private final SourceNacks sourceNacks = new SourceNacks(SOURCE_NACK_RETRY_FLOOR_MS, SOURCE_NACK_TRIES, PeerSdp.MAX_LAYERS);
    /** The video bitrate its source announced, kbit/s (0: none; the measured one stands in). */
    private int announcedKbps;
    private final long createdNanos = System.nanoTime();
    private boolean closed;
    private final ForwardDelayHistogram delays;

    /**
     * What every stream of the plane shares: what viewers' feedback may cost (the plane's limits), where it is counted
     * (the plane's counters), the threads that share each source packet's fan-out (null: none), and where each source
     * packet's stay in the edge is counted.
     */
    record Shared(FeedbackLimits limits, FeedbackStats stats, FanoutWorkers workers, ForwardDelayHistogram delays) {
    }

    /** Created on the media verticle's context, where it then runs (see the package's threading rule). */
    ForwardedStream(String name, VideoCodec codec, SharedUdpPort port, Context context, Shared shared) {
        this.name = name;
        this.codec = codec;
        this.port = port;
        this.context = context;
        this.keyframes = new KeyframeRequests(KEYFRAME_REQUEST_INTERVAL_MS, System::nanoTime, this::requestSourceKeyframe);
        this.video = new RtpForwarder(port::send, keyframes, codec, shared.limits(), shared.stats(), System::nanoTime,
                shared.workers());
        this.audio = new RtpForwarder(port::send, null, null);
        this.delays = shared.delays();
    }

    String name() {
        return name;
    }

    /** The video bitrate the source announces (a configured demo source's), in kbit/s. */
    void announce(int kbps) {
        announcedKbps = kbps;
    }

    /** The stream's video bitrate, kbit/s: announced by its source, else as measured over the last second. */
    int bitrateKbps() {
        return announcedKbps > 0 ? announcedKbps : (int) Math.round(video.sourceBytesPerSecond() * 8 / 1000);
    }

    /**
     * Takes a publisher's offer on this edge's port as the stream's new source (see {@link PublisherSession}).
     *
     * @throws IllegalArgumentException when the offer is unusable (the current source stays)
     */
    PublisherSession acceptPublisher(PeerSdp offer, String fingerprint, String address, int udpPort, Integer pinKbps) {
        PublisherSession publisher = new PublisherSession(this, port, context.owner(), offer, fingerprint, address, udpPort, pinKbps);
        feedFrom(publisher);
        return publisher;
    }

    /**
     * {@code next} feeds the stream from now on; the source it replaces is closed. Viewers stay, and the forwarders
     * carry their numbering over to the new source.
     */
    void feedFrom(StreamSource next) {
        if (closed) {
            next.close();
            return;
        }
        if (source != next) {
            dropSource();
            source = next;
            video.expectLayers(next.videoLayers());
        }
    }

    /** Closes the current source and forgets what it sent; the stream waits for another. Idempotent. */
    void dropSource() {
        StreamSource old = source;
        source = null;
        sourceAudioSsrc = -1;
        videoReception.clear();
        audioReception = new ReceptionStats(48_000);
        if (old != null) {
            old.close();
        }
    }

    /** The current source if it is a publisher on this edge's port. */
    Optional<PublisherSession> publisher() {
        return source instanceof PublisherSession publisher ? Optional.of(publisher) : Optional.empty();
    }

    /** The edge's own keyframe request (a new publisher connection); viewers' go through their budget in the forwarder. */
    void requestKeyframe() {
        video.requestKeyframes();
    }

    long keyframeRequests() {
        return keyframes.sent();
    }

    /** When the last source packet arrived (System.nanoTime), or when the stream was created if none has. */
    long lastMediaNanos() {
        return Math.max(createdNanos, lastPacketNanos);
    }

    /** Whether no media has arrived from any source for {@code nanos}, or ever, since created that long ago. */
    boolean silentFor(long nanos) {
        return System.nanoTime() - lastMediaNanos() > nanos;
    }

    /**
     * A source packet (plain RTP), read from its socket at {@code receivedNanos} ({@link System#nanoTime}): counted, then
     * fanned out by the source's payload types, and its time in the edge counted.
     */
    void onSourceRtp(byte[] plain, long receivedNanos) {
        StreamSource from = source;
        if (from == null) {
            return;
        }
        int payloadType = plain[1] & 0x7F;
        int ssrc = ByteBuffer.wrap(plain, 8, 4).getInt();
        int sequence = ((plain[2] & 0xFF) << 8) | (plain[3] & 0xFF);
        long timestamp = ByteBuffer.wrap(plain, 4, 4).getInt() & 0xFFFFFFFFL;
        long now = System.nanoTime();
        lastPacketNanos = now;
        if (payloadType == from.videoType()) {
            sourceVideoPackets++;
            if (from.resends()) {
                // Before the fan-out: a gap's requests go out at once, and a recovered packet is forwarded like any.
                long millis = now / 1_000_000;
                sourceNacks.onPacket(ssrc, sequence, millis);
                int[] due = sourceNacks.due(ssrc, millis);
                if (due.length > 0) {
                    from.requestRetransmission(ssrc, due);
                }
                if (sourceNacks.keyframeNeeded(ssrc)) {
                    keyframes.request(ssrc); // collapsed with the viewers' own requests
                }
            }
            if (port.batched(() -> video.onSourceRtp(plain))) {
                if (!videoReception.containsKey(ssrc) && videoReception.size() >= PeerSdp.MAX_LAYERS) {
                    videoReception.keySet().retainAll(video.sendingLayers()); // a layer gone, or a source replaced
                }
                videoReception.computeIfAbsent(ssrc, s -> new ReceptionStats(90_000)).onPacket(sequence, timestamp, now);
            }
        } else if (payloadType == from.audioType()) {
            sourceAudioSsrc = ssrc;
            audioReception.onPacket(sequence, timestamp, now);
            port.batched(() -> audio.onSourceRtp(plain));
        } else {
            return;
        }
        delays.record(System.nanoTime() - receivedNanos);
    }

    /**
     * Source RTCP (plain): sender reports go on to the viewers (rewritten; one batch of datagrams, as the media's) and
     * time the receiver reports' LSR/DLSR.
     */
    void onSourceRtcp(byte[] plain) {
        Rtcp.senderInfo(plain).ifPresent(report -> {
            ReceptionStats layer = videoReception.get(report.ssrc());
            if (layer != null) {
                layer.onSenderReport(report.ntpTimestamp(), System.nanoTime());
                port.batched(() -> video.onSourceSenderReport(report));
            } else if (report.ssrc() == sourceAudioSsrc) {
                audioReception.onSenderReport(report.ntpTimestamp(), System.nanoTime());
                port.batched(() -> audio.onSourceSenderReport(report));
            }
        });
    }

    /** A receiver report's blocks for what the current source sent (none before its first packet). */
    List<Rtcp.ReportBlock> receptionReport() {
        long now = System.nanoTime();
        List<Rtcp.ReportBlock> blocks = new ArrayList<>();
        videoReception.forEach((ssrc, layer) -> {
            if (layer.started()) {
                blocks.add(layer.reportBlock(ssrc, now));
            }
        });
        if (audioReception.started()) {
            blocks.add(audioReception.reportBlock(sourceAudioSsrc, now));
        }
        return blocks;
    }

    /** What was asked of the sources again, and what came. */
    SourceNacks sourceNacks() {
        return sourceNacks;
    }

    /** Video packets received from this stream's sources since it was created (every layer). */
    long sourceVideoPackets() {
        return sourceVideoPackets;
    }

    /** Video packets the current sources' sequence numbers say never arrived (RFC 3550's cumulative lost, every layer). */
    long sourceVideoLost() {
        return videoReception.values().stream().mapToLong(ReceptionStats::cumulativeLost).sum();
    }

    long receiverReports() {
        return publisher().map(PublisherSession::receiverReports).orElse(0L);
    }

    long senderReports() {
        return video.senderReports() + audio.senderReports();
    }

    private void requestSourceKeyframe(int videoSsrc) {
        StreamSource from = source;
        if (from != null) {
            from.requestKeyframe(videoSsrc);
        }
    }

    /** Closes the source with the stream. Idempotent. */
    @Override
    public void close() {
        closed = true;
        dropSource();
    }

    static String token(int length) {
        byte[] bytes = new byte[length];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes).substring(0, length);
    }
}
