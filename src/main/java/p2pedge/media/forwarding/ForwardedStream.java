package p2pedge.media.forwarding;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.PortAllocatorConfig;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import p2pedge.media.LiveStream;
import p2pedge.media.WebrtcCalls;
import p2pedge.media.rtc.KeyframeRequests;
import p2pedge.media.rtc.MediaSession;
import p2pedge.media.rtc.PacketKind;
import p2pedge.media.rtc.ReceptionStats;
import p2pedge.media.rtc.Rtcp;
import p2pedge.media.rtc.RtpForwarder;
import p2pedge.media.rtc.SdpAnswer;
import p2pedge.media.rtc.SdpOffer;
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
import java.util.Map;
import java.util.logging.Logger;

/**
 * One stream on the forwarding media plane. Its source (the demo stream's tracks) is encoded once, by one
 * in-process webrtc-java connection that publishes to the edge's own shared port like any publisher would;
 * what arrives is decrypted once and forwarded to every viewer by a video and an audio {@link RtpForwarder}.
 */
final class ForwardedStream implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ForwardedStream.class.getName());
    static final int OPUS = 111;
    /** Just over libwebrtc's own minimum between keyframes (300 ms): a request sooner would be ignored anyway. */
    private static final int KEYFRAME_REQUEST_INTERVAL_MS = 350;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final LiveStream source;
    private final int bitrateKbps;
    final VideoCodec codec;
    private final SharedUdpPort port;
    private final String publisherUfrag = "pub" + token(6);
    private final String publisherPassword = token(24);
    private final List<RTCRtpSender> senders = new ArrayList<>();
    private final KeyframeRequests keyframes;
    private final Map<String, MediaSession> sessions;
    final RtpForwarder video;
    final RtpForwarder audio;
    private RTCPeerConnection publisher;
    private volatile SrtpTransformer fromPublisher;
    private volatile SrtpTransformer toPublisher;
    private volatile int publisherVideoSsrc = -1;
    private volatile int publisherAudioSsrc = -1;
    /** The edge's own SSRC towards the publisher, in its keyframe requests and receiver reports. */
    private final int edgeSsrc = RANDOM.nextInt();
    private final ReceptionStats videoReception = new ReceptionStats(90_000);
    private final ReceptionStats audioReception = new ReceptionStats(48_000);
    private volatile long receiverReports;
    private io.vertx.core.Vertx vertx;
    private long reportTimer = -1;

    ForwardedStream(LiveStream source, VideoCodec codec, int bitrateKbps, SharedUdpPort port, Map<String, MediaSession> sessions) {
        this.source = source;
        this.codec = codec;
        this.bitrateKbps = bitrateKbps;
        this.port = port;
        this.keyframes = new KeyframeRequests(KEYFRAME_REQUEST_INTERVAL_MS, System::nanoTime, this::sendPli);
        this.video = new RtpForwarder(port::send, keyframes, codec);
        this.audio = new RtpForwarder(port::send, null, null);
        this.sessions = sessions;
    }

    String name() {
        return source.name();
    }

    void requestKeyframe() {
        keyframes.request();
    }

    long keyframeRequests() {
        return keyframes.sent();
    }

    /** Connects the in-process publisher to the shared port; completes when its keys are known. */
    Future<Void> start(PeerConnectionFactory factory, String fingerprint, int udpPort, Context context) {
        Promise<Void> secured = Promise.promise();
        vertx = context.owner();
        // On the verticle's context, like the port's handler: reception statistics are touched by one thread.
        reportTimer = vertx.setPeriodic(RECEIVER_REPORT_INTERVAL_MS, t -> sendReceiverReports());
        RTCConfiguration config = new RTCConfiguration();
        config.portAllocatorConfig = new PortAllocatorConfig(0, 0, 0).setDisableAdapterEnumeration(true).setDisableTcp(true);
        publisher = factory.createPeerConnection(config, new PeerConnectionObserver() {
            @Override
            public void onIceCandidate(RTCIceCandidate candidate) {
                // The edge is ICE-lite and learns the publisher's address from its checks.
            }
        });
        List<String> streamIds = List.of(source.name());
        senders.add(publisher.addTrack(source.videoTrack(), streamIds));
        senders.add(publisher.addTrack(source.audioTrack(), streamIds));
        String offer = new SdpOffer(publisherUfrag, publisherPassword, fingerprint, "127.0.0.1", udpPort, List.of(
                new SdpOffer.Media(SdpOffer.Kind.VIDEO, "0", SdpOffer.Direction.RECVONLY, List.of(codec.sdp().withFmtp(
                        // The edge sends the encoder no congestion feedback: pin its bitrate instead of leaving it at libwebrtc's start value.
                        "x-google-start-bitrate=" + bitrateKbps + ";x-google-min-bitrate=" + bitrateKbps + ";x-google-max-bitrate=" + bitrateKbps)),
                        0, source.name()),
                new SdpOffer.Media(SdpOffer.Kind.AUDIO, "1", SdpOffer.Direction.RECVONLY, List.of(SdpOffer.Codec.opus()), 0, source.name())))
                .write();
        return WebrtcCalls.setRemote(publisher, new RTCSessionDescription(RTCSdpType.OFFER, offer), context)
                .compose(v -> WebrtcCalls.createAnswer(publisher, context))
                .compose(answer -> {
                    SdpAnswer parsed = SdpAnswer.parse(answer.sdp);
                    sessions.put(publisherUfrag, new MediaSession(publisherUfrag, publisherPassword, parsed.fingerprint(),
                            keys -> onPublisherKeys(keys, secured), this::onPublisherMedia));
                    return WebrtcCalls.setLocal(publisher, answer, context);
                }).compose(v -> secured.future().timeout(10, java.util.concurrent.TimeUnit.SECONDS))
                .onSuccess(v -> LOG.info(() -> "stream " + source.name() + ": encoded once (" + codec + " at " + bitrateKbps
                        + " kbit/s) by the in-process publisher, forwarded"));
    }

    private void onPublisherKeys(SrtpKeys keys, Promise<Void> secured) {
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
        transformer.unprotectRtp(packet).ifPresentOrElse(plain -> {
            int payloadType = plain[1] & 0x7F;
            int ssrc = ByteBuffer.wrap(plain, 8, 4).getInt();
            int sequence = ((plain[2] & 0xFF) << 8) | (plain[3] & 0xFF);
            long timestamp = ByteBuffer.wrap(plain, 4, 4).getInt() & 0xFFFFFFFFL;
            if (payloadType == codec.payloadType()) {
                publisherVideoSsrc = ssrc;
                videoReception.onPacket(sequence, timestamp, System.nanoTime());
                video.onSourceRtp(plain);
            } else if (payloadType == OPUS) {
                publisherAudioSsrc = ssrc;
                audioReception.onPacket(sequence, timestamp, System.nanoTime());
                audio.onSourceRtp(plain);
            }
        }, () -> port.countDropped("srtp: refused from publisher"));
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

    /**
     * The round-trip time the in-process publisher's libwebrtc computed from the edge's receiver reports
     * (LSR/DLSR against its own sender reports), in ms; empty until it has one. Proof the reports are sound.
     */
    Future<java.util.Optional<Double>> publisherRoundTripMillis() {
        if (publisher == null) {
            return Future.succeededFuture(java.util.Optional.empty());
        }
        return WebrtcCalls.stats(publisher, vertx.getOrCreateContext()).map(report -> report.getStats().values().stream()
                .filter(stats -> stats.getType() == dev.onvoid.webrtc.RTCStatsType.REMOTE_INBOUND_RTP)
                .map(stats -> stats.getAttributes().get("roundTripTime"))
                .filter(rtt -> rtt instanceof Number)
                .map(rtt -> ((Number) rtt).doubleValue() * 1000)
                .findFirst());
    }

    long receiverReports() {
        return receiverReports;
    }

    long senderReports() {
        return video.senderReports() + audio.senderReports();
    }

    private void sendPli() {
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
        if (vertx != null) {
            vertx.cancelTimer(reportTimer);
        }
        if (publisher != null) {
            senders.forEach(publisher::removeTrack);
            senders.clear();
            publisher.close();
            publisher = null;
        }
        sessions.remove(publisherUfrag);
        port.forget(publisherUfrag);
        if (fromPublisher != null) {
            fromPublisher.close();
            toPublisher.close();
        }
    }

    static String token(int length) {
        byte[] bytes = new byte[length];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes).substring(0, length);
    }
}
