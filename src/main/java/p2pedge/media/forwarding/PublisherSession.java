package p2pedge.media.forwarding;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import p2pedge.media.rtc.EdgeSdp;
import p2pedge.media.rtc.MediaSession;
import p2pedge.media.rtc.Negotiation;
import p2pedge.media.rtc.PacketKind;
import p2pedge.media.rtc.PeerSdp;
import p2pedge.media.rtc.Rtcp;
import p2pedge.media.rtc.SharedUdpPort;
import p2pedge.media.rtc.SrtpKeys;
import p2pedge.media.rtc.SrtpRefusal;
import p2pedge.media.rtc.SrtpTransformer;

import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.EnumMap;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * A publisher on this edge's shared port as its stream's source (a WHIP client, or the in-process
 * {@link DemoPublisher}): created from the publisher's offer, it holds the ICE session on the port, the DTLS-SRTP
 * contexts, the payload types agreed, and the edge's RTCP towards the publisher (receiver reports every second,
 * keyframe requests as PLIs). A publisher that comes back is a new session. On the media context.
 */
final class PublisherSession implements StreamSource {

    private static final Logger LOG = Logger.getLogger(PublisherSession.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long RECEIVER_REPORT_INTERVAL_MS = 1_000;

    private final ForwardedStream stream;
    private final SharedUdpPort port;
    private final Vertx vertx;
    private final String ufrag = "pub" + ForwardedStream.token(6);
    private final String password = ForwardedStream.token(24);
    private final int videoType;
    private final int audioType;
    private final int videoLayers;
    private final String answer;
    private final Promise<Void> secured = Promise.promise();
    /** The edge's own SSRC towards the publisher, in its keyframe requests and receiver reports. */
    private final int edgeSsrc = RANDOM.nextInt();
    private final long reportTimer;
    /**
     * A resend the edge asked for more than once arrives twice: counted apart from packets that fail the checks
     * (held here, so the publisher's every packet makes no new lambda), SRTP's and SRTCP's apart.
     */
    private final Consumer<SrtpRefusal> countRefusal;
    private final Consumer<SrtpRefusal> countControlRefusal;
    private SrtpTransformer fromPublisher;
    private SrtpTransformer toPublisher;
    private long receiverReports;
    private boolean closed;

    /**
     * Takes the publisher's offer for {@code stream}: registers its session on the port and writes the edge's
     * answer ({@link #answer()}), which accepts the stream's video codec and Opus (receive-only) and nothing else.
     *
     * @param pinKbps for libwebrtc publishers that get no congestion feedback: hold the encoder at this bitrate
     *                (x-google bounds in the answer); null to leave the publisher's rate control alone
     * @throws IllegalArgumentException when the offer has no video in the stream's codec, or sections the edge
     *                                  cannot take (nothing is registered then)
     */
    PublisherSession(ForwardedStream stream, SharedUdpPort port, Vertx vertx, PeerSdp offer, String fingerprint,
                     String address, int udpPort, Integer pinKbps) {
        Negotiation.Answer agreed = Negotiation.publisher(offer, stream.codec, stream.name(), pinKbps);
        this.stream = stream;
        this.port = port;
        this.countRefusal = refusalCounter(port, "srtp");
        this.countControlRefusal = refusalCounter(port, "srtcp");
        this.vertx = vertx;
        this.videoType = agreed.videoType();
        this.audioType = agreed.audioType();
        this.videoLayers = offer.videoLayers();
        this.answer = new EdgeSdp(ufrag, password, fingerprint, address, udpPort, agreed.media()).writeAnswer();
        port.open(new MediaSession(ufrag, password, offer.fingerprint(), offer.iceUfrag(), offer.icePassword(), this::onKeys,
                this::onMedia));
        this.reportTimer = vertx.setPeriodic(RECEIVER_REPORT_INTERVAL_MS, t -> sendReceiverReports());
    }

    /** The edge's answer to the publisher's offer. */
    String answer() {
        return answer;
    }

    /** Completes when the publisher's DTLS-SRTP handshake is done; fails if the session closes first. */
    Future<Void> secured() {
        return secured.future();
    }

    @Override
    public int videoType() {
        return videoType;
    }

    @Override
    public int audioType() {
        return audioType;
    }

    @Override
    public int videoLayers() {
        return videoLayers;
    }

    long receiverReports() {
        return receiverReports;
    }

    /** The port forgets this ICE session (diagnostics, tests): the publisher's checks and media go unanswered. */
    void forgetSession() {
        port.close(ufrag);
    }

    /** On the media context: keys of a closed session are not taken; a new handshake's keys replace the old. */
    private void onKeys(SrtpKeys keys) {
        if (closed) {
            return;
        }
        fromPublisher = SrtpTransformer.forReceiving(keys);
        toPublisher = SrtpTransformer.forSending(keys);
        secured.tryComplete();
    }

    /** The publisher's packets: decrypted once, then handed to the stream (on the port's event loop only). */
    private void onMedia(PacketKind kind, byte[] packet, long receivedNanos) {
        SrtpTransformer transformer = fromPublisher;
        if (transformer == null) {
            return;
        }
        if (kind == PacketKind.RTCP) {
            transformer.unprotectRtcp(packet, countControlRefusal).ifPresent(stream::onSourceRtcp);
        } else if (kind == PacketKind.RTP) {
            transformer.unprotectRtp(packet, countRefusal).ifPresent(plain -> stream.onSourceRtp(plain, receivedNanos));
        }
    }

    /** Counts the publisher's packets refused by {@code protocol} ("srtp" or "srtcp") on the port, by why. */
    private static Consumer<SrtpRefusal> refusalCounter(SharedUdpPort port, String protocol) {
        EnumMap<SrtpRefusal, String> reasons = new EnumMap<>(SrtpRefusal.class);
        for (SrtpRefusal refusal : SrtpRefusal.values()) {
            reasons.put(refusal, protocol + ": " + switch (refusal) {
                case REPLAYED -> "repeated or too late from publisher";
                case SSRC_LIMIT -> "more SSRCs than a session keeps from publisher";
                case MALFORMED, UNAUTHENTIC -> "refused from publisher";
            });
        }
        return refusal -> port.countDropped(reasons.get(refusal));
    }

    /** Receiver reports to the publisher: its encoder's loss-based rate control and RTT need them. */
    private void sendReceiverReports() {
        List<Rtcp.ReportBlock> blocks = stream.receptionReport();
        if (!blocks.isEmpty() && sendRtcp(Rtcp.receiverReport(edgeSsrc, blocks), "a receiver report")) {
            receiverReports++;
        }
    }

    @Override
    public void requestKeyframe(int videoSsrc) {
        sendRtcp(Rtcp.pli(edgeSsrc, videoSsrc), "a keyframe request");
    }

    @Override
    public boolean resends() {
        return true;
    }

    @Override
    public void requestRetransmission(int videoSsrc, int[] sequences) {
        sendRtcp(Rtcp.nack(edgeSsrc, videoSsrc, sequences), "a retransmission request");
    }

    /** Whether it was sent: not before the keys, nor once the port has forgotten the publisher's address. */
    private boolean sendRtcp(byte[] plain, String what) {
        SrtpTransformer out = toPublisher;
        Optional<InetSocketAddress> address = port.addressOf(ufrag);
        if (out == null || address.isEmpty()) {
            return false;
        }
        try {
            port.send(address.get(), out.protectRtcp(plain));
            return true;
        } catch (GeneralSecurityException e) {
            LOG.warning("cannot send " + what + " to the publisher: " + e.getMessage());
            return false;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        vertx.cancelTimer(reportTimer);
        port.close(ufrag);
        secured.tryFail("publisher session closed");
        fromPublisher = null; // what still arrives is not decrypted
        toPublisher = null;
    }
}
