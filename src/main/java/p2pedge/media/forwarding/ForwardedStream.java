package p2pedge.media.forwarding;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import p2pedge.media.rtc.EdgeSdp;
import p2pedge.media.rtc.FeedbackLimits;
import p2pedge.media.rtc.FeedbackStats;
import p2pedge.media.rtc.KeyframeRequests;
import p2pedge.media.rtc.MediaSession;
import p2pedge.media.rtc.Negotiation;
import p2pedge.media.rtc.PacketKind;
import p2pedge.media.rtc.PeerSdp;
import p2pedge.media.rtc.ReceptionStats;
import p2pedge.media.rtc.Rtcp;
import p2pedge.media.rtc.RtpForwarder;
import p2pedge.media.rtc.SharedUdpPort;
import p2pedge.media.rtc.SrtpKeys;
import p2pedge.media.rtc.SrtpTransformer;
import p2pedge.media.rtc.VideoCodec;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.logging.Logger;

/**
 * One stream on the forwarding media plane: a publisher session on the shared port and the forwarders that fan
 * its RTP out. The publisher offers (a WHIP client, or the in-process {@link DemoPublisher} that encodes the demo
 * once) and the edge answers; what arrives is decrypted once and forwarded to every viewer by a video and an
 * audio {@link RtpForwarder}. The edge sends the publisher keyframe requests and receiver reports.
 */
final class ForwardedStream implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ForwardedStream.class.getName());
    /** The payload types viewers are offered; a publisher's own are rewritten to these. */
    static final int OPUS = 111;
    /** Just over libwebrtc's own minimum between keyframes (300 ms): a request sooner would be ignored anyway. */
    private static final int KEYFRAME_REQUEST_INTERVAL_MS = 350;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String name;
    private final SharedUdpPort port;
    /** The publisher's session on the port; a re-published stream gets new ones (see {@link #dropPublisher}). */
    private String publisherUfrag = "pub" + token(6);
    private String publisherPassword = token(24);
    private final KeyframeRequests keyframes;
    private Promise<Void> secured = Promise.promise();
    final VideoCodec codec;
    final RtpForwarder video;
    final RtpForwarder audio;
    private SrtpTransformer fromPublisher;
    private SrtpTransformer toPublisher;
    private int publisherVideoType = -1;
    private int publisherAudioType = -1;
    private int publisherVideoSsrc = -1;
    private int publisherAudioSsrc = -1;
    private long lastPacketNanos;
    private final long createdNanos = System.nanoTime();
    private IntConsumer upstreamKeyframeRequest;
    /** The edge's own SSRC towards the publisher, in its keyframe requests and receiver reports. */
    private final int edgeSsrc = RANDOM.nextInt();
    private ReceptionStats videoReception = new ReceptionStats(90_000);
    private ReceptionStats audioReception = new ReceptionStats(48_000);
    private long receiverReports;
    private final Vertx vertx;
    private final long reportTimer;

    /** What viewers' feedback may cost (the plane's limits) and where it is counted (the plane's counters). */
    record Feedback(FeedbackLimits limits, FeedbackStats stats) {
    }

    /** Created on the media verticle's context, where it then runs (see the package's threading rule). */
    ForwardedStream(String name, VideoCodec codec, SharedUdpPort port, Context context,
                    Feedback feedback) {
        this.name = name;
        this.codec = codec;
        this.port = port;
        this.keyframes = new KeyframeRequests(KEYFRAME_REQUEST_INTERVAL_MS, System::nanoTime, this::sendPli);
        this.video = new RtpForwarder(port::send, keyframes, codec, feedback.limits(), feedback.stats(), System::nanoTime);
        this.audio = new RtpForwarder(port::send, null, null);
        this.vertx = context.owner();
        this.reportTimer = vertx.setPeriodic(RECEIVER_REPORT_INTERVAL_MS, t -> sendReceiverReports());
    }

    String name() {
        return name;
    }

    /** The edge's own keyframe request (a new publisher connection); viewers' go through their budget in the forwarder. */
    void requestKeyframe() {
        keyframes.request();
    }

    long keyframeRequests() {
        return keyframes.sent();
    }

    /** Completes when the (current) publisher's DTLS-SRTP handshake is done. */
    Future<Void> secured() {
        return secured.future();
    }

    /** When the last source packet arrived (System.nanoTime), or when the stream was created if none has. */
    long lastMediaNanos() {
        return Math.max(createdNanos, lastPacketNanos);
    }

    /**
     * Forgets the current publisher (its session on the port, its SRTP contexts, what it negotiated) so another
     * can be accepted for this same stream: viewers stay, and the forwarders carry their numbering over to the new
     * source. Idempotent; on the stream's context.
     */
    void dropPublisher() {
        forgetPublisherSession();
        closeTransformers();
        secured.tryFail("publisher dropped");
        publisherUfrag = "pub" + token(6);
        publisherPassword = token(24);
        secured = Promise.promise();
        publisherVideoType = -1;
        publisherAudioType = -1;
        publisherVideoSsrc = -1;
        publisherAudioSsrc = -1;
        videoReception = new ReceptionStats(90_000);
        audioReception = new ReceptionStats(48_000);
    }

    /** The port and the edge forget the publisher's ICE session (diagnostics, tests): its checks and media go unanswered. */
    void forgetPublisherSession() {
        port.close(publisherUfrag);
    }

    private void closeTransformers() {
        SrtpTransformer from = fromPublisher;
        SrtpTransformer to = toPublisher;
        fromPublisher = null;
        toPublisher = null;
        if (from != null) {
            from.close();
        }
        if (to != null) {
            to.close();
        }
    }

    /** Whether no media has arrived (from the publisher or the pull) for {@code nanos}, or ever, since created that long ago. */
    boolean silentFor(long nanos) {
        return System.nanoTime() - Math.max(createdNanos, lastPacketNanos) > nanos;
    }

    /**
     * Takes a publisher's offer: registers its session on the shared port and returns the edge's answer, which
     * accepts the stream's video codec and Opus (receive-only) and nothing else.
     *
     * @param pinKbps for libwebrtc publishers that get no congestion feedback: hold the encoder at this bitrate
     *                (x-google bounds in the answer); null to leave the publisher's rate control alone
     * @throws IllegalArgumentException when the offer has no video in the stream's codec, or sections the edge
     *                                  cannot take
     */
    String acceptPublisher(PeerSdp offer, String fingerprint, String address, int udpPort, Integer pinKbps) {
        Negotiation.Answer answer = Negotiation.publisher(offer, codec, name, pinKbps);
        publisherVideoType = answer.videoType();
        publisherAudioType = answer.audioType();
        String ufrag = publisherUfrag;
        port.open(new MediaSession(ufrag, publisherPassword, offer.fingerprint(),
                keys -> onPublisherKeys(ufrag, keys), this::onPublisherMedia));
        return new EdgeSdp(publisherUfrag, publisherPassword, fingerprint, address, udpPort, answer.media()).writeAnswer();
    }

    /**
     * On the stream's context (where the transformers are used), for the publisher session {@code ufrag}: keys of
     * a session dropped meanwhile are not taken, and contexts a new handshake replaces are closed.
     */
    private void onPublisherKeys(String ufrag, SrtpKeys keys) {
        if (!ufrag.equals(publisherUfrag)) {
            return;
        }
        closeTransformers();
        fromPublisher = SrtpTransformer.forReceiving(keys);
        toPublisher = SrtpTransformer.forSending(keys);
        secured.tryComplete();
    }

    private static final long RECEIVER_REPORT_INTERVAL_MS = 1_000;

    /** The publisher's packets: decrypted once, then forwarded (called on the port's event loop only). */
    private void onPublisherMedia(PacketKind kind, byte[] packet) {
        SrtpTransformer transformer = fromPublisher;
        if (transformer == null) {
            return;
        }
        if (kind == PacketKind.RTCP) {
            transformer.unprotectRtcp(packet).ifPresentOrElse(this::onPublisherRtcp,
                    () -> port.countDropped("srtcp: refused from publisher"));
            return;
        }
        if (kind != PacketKind.RTP) {
            return;
        }
        transformer.unprotectRtp(packet).ifPresentOrElse(this::forward, () -> port.countDropped("srtp: refused from publisher"));
    }

    /** A source packet (plain RTP), from the publisher or a pull: counted, then fanned out by payload type. */
    private void forward(byte[] plain) {
        int payloadType = plain[1] & 0x7F;
        int ssrc = ByteBuffer.wrap(plain, 8, 4).getInt();
        int sequence = ((plain[2] & 0xFF) << 8) | (plain[3] & 0xFF);
        long timestamp = ByteBuffer.wrap(plain, 4, 4).getInt() & 0xFFFFFFFFL;
        long now = System.nanoTime();
        lastPacketNanos = now;
        if (payloadType == publisherVideoType) {
            publisherVideoSsrc = ssrc;
            videoReception.onPacket(sequence, timestamp, now);
            video.onSourceRtp(plain);
        } else if (payloadType == publisherAudioType) {
            publisherAudioSsrc = ssrc;
            audioReception.onPacket(sequence, timestamp, now);
            audio.onSourceRtp(plain);
        }
    }

    /**
     * Fed by another edge instead of a publisher on this port (a pull, see {@link StreamPull}): its payload
     * types, and how to ask it for a keyframe. Receiver reports stay between that edge and its publisher.
     */
    void pulledWith(int videoType, int audioType, IntConsumer keyframeRequest) {
        publisherVideoType = videoType;
        publisherAudioType = audioType;
        upstreamKeyframeRequest = keyframeRequest;
    }

    /** Plain RTP from the pull (on this stream's context). */
    void onUpstreamRtp(byte[] plain) {
        forward(plain);
    }

    /** Plain RTCP from the pull: its sender reports go on to the viewers. */
    void onUpstreamRtcp(byte[] plain) {
        onPublisherRtcp(plain);
    }

    void upstreamSecured() {
        secured.tryComplete();
    }

    /** Sender reports go on to the viewers (rewritten) and time the edge's receiver reports' LSR/DLSR. */
    private void onPublisherRtcp(byte[] plain) {
        Rtcp.senderInfo(plain).ifPresent(report -> {
            if (report.ssrc() == publisherVideoSsrc) {
                videoReception.onSenderReport(report.ntpTimestamp(), System.nanoTime());
                video.onSourceSenderReport(report);
            } else if (report.ssrc() == publisherAudioSsrc) {
                audioReception.onSenderReport(report.ntpTimestamp(), System.nanoTime());
                audio.onSourceSenderReport(report);
            }
        });
    }

    /** Receiver reports to the publisher: its encoder's loss-based rate control and RTT need them. */
    private void sendReceiverReports() {
        SrtpTransformer out = toPublisher;
        if (out == null) {
            return;
        }
        long now = System.nanoTime();
        List<Rtcp.ReportBlock> blocks = new ArrayList<>();
        if (videoReception.started()) {
            blocks.add(videoReception.reportBlock(publisherVideoSsrc, now));
        }
        if (audioReception.started()) {
            blocks.add(audioReception.reportBlock(publisherAudioSsrc, now));
        }
        if (blocks.isEmpty()) {
            return;
        }
        port.addressOf(publisherUfrag).ifPresent(address -> {
            try {
                port.send(address, out.protectRtcp(Rtcp.receiverReport(edgeSsrc, blocks)));
                receiverReports++;
            } catch (GeneralSecurityException e) {
                LOG.warning("cannot send a receiver report: " + e.getMessage());
            }
        });
    }

    long receiverReports() {
        return receiverReports;
    }

    long senderReports() {
        return video.senderReports() + audio.senderReports();
    }

    private void sendPli() {
        if (upstreamKeyframeRequest != null) {
            if (publisherVideoSsrc != -1) {
                upstreamKeyframeRequest.accept(publisherVideoSsrc);
            }
            return;
        }
        SrtpTransformer out = toPublisher;
        if (out == null || publisherVideoSsrc == -1) {
            return;
        }
        port.addressOf(publisherUfrag).ifPresent(address -> {
            try {
                port.send(address, out.protectRtcp(Rtcp.pli(edgeSsrc, publisherVideoSsrc)));
            } catch (GeneralSecurityException e) {
                LOG.warning("cannot send a keyframe request: " + e.getMessage());
            }
        });
    }

    @Override
    public void close() {
        vertx.cancelTimer(reportTimer);
        port.close(publisherUfrag);
        secured.tryFail("stream closed");
        closeTransformers();
    }

    static String token(int length) {
        byte[] bytes = new byte[length];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes).substring(0, length);
    }
}
