package p2pedge.media.forwarding;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import p2pedge.webrtc.CandidateLine;
import p2pedge.media.rtc.ClientTransport;
import p2pedge.media.rtc.DtlsCertificate;
import p2pedge.media.rtc.EdgeSdp;
import p2pedge.media.rtc.Negotiation;
import p2pedge.media.rtc.PeerSdp;
import p2pedge.media.rtc.Rtcp;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * One edge pulling a stream from the edge it is published on, once, for all its local viewers: to the owner it
 * is a viewer like any other (the owner offers, this edge answers {@code a=setup:active} and connects as a
 * browser would, with a {@link ClientTransport}: ICE controlling against the owner's ICE-lite port, DTLS-SRTP as
 * the client, both fingerprints checked); what arrives is decrypted and handed to the local {@link ForwardedStream},
 * whose viewers' keyframe requests go back up as PLIs, and its lost video packets as NACKs: the stream's
 * {@link StreamSource}. The offer and answer
 * travel over the clustered event bus between the two media verticles; the media itself is SRTP between the edges'
 * UDP ports. Runs on the media verticle's context.
 */
final class StreamPull implements StreamSource {

    private static final Logger LOG = Logger.getLogger(StreamPull.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long CONNECT_TIMEOUT_S = 10;

    private final DtlsCertificate identity;
    private final ForwardedStream stream;
    private final ClientTransport transport;
    private final int ssrc = RANDOM.nextInt();
    private int videoType = -1;
    private int audioType = -1;
    /** The layers the owner declared (one SSRC each): a simulcast stream is pulled whole, each edge picks per viewer. */
    private int videoLayers = 1;

    /** Created on the media verticle's context, where the pull then runs. */
    StreamPull(Vertx vertx, BcTlsCrypto crypto, DtlsCertificate identity, ForwardedStream stream) {
        this.identity = identity;
        this.stream = stream;
        this.transport = new ClientTransport(vertx, crypto, identity, handshake -> vertx.executeBlocking(handshake, false),
                new ClientTransport.Receiver() {
                    @Override
                    public void onRtp(byte[] plain, int datagramLength, long readNanos) {
                        stream.onSourceRtp(plain, readNanos);
                    }

                    @Override
                    public void onRtcp(byte[] plain) {
                        stream.onSourceRtcp(plain);
                    }

                    @Override
                    public void onRefused() {
                        // SRTP authenticates what counts; nothing to tell the owner
                    }
                });
    }

    /**
     * Answers the owner's offer (sent back with {@code sendAnswer}) and connects; completes when the keys are
     * known. {@code ownerCandidates} are the owner's candidate attributes.
     */
    Future<Void> start(String offerSdp, List<String> ownerCandidates, Function<String, Future<Void>> sendAnswer) {
        PeerSdp offer;
        Negotiation.Answer agreed;
        try {
            offer = PeerSdp.parseOffer(offerSdp);
            agreed = Negotiation.owner(offer, stream.codec, stream.name());
        } catch (IllegalArgumentException e) {
            return Future.failedFuture("the owner's offer is unusable: " + e.getMessage());
        }
        ownerCandidates.stream().map(CandidateLine::parse).flatMap(Optional::stream).filter(CandidateLine::udp)
                .map(CandidateLine::socketAddress).forEach(transport::addCandidate);
        if (transport.candidates().isEmpty()) {
            return Future.failedFuture("the owner announced no UDP candidate");
        }
        videoType = agreed.videoType();
        audioType = agreed.audioType();
        videoLayers = offer.videoLayers();
        stream.feedFrom(this);
        return transport.listen("0.0.0.0").compose(port -> sendAnswer.apply(new EdgeSdp(transport.ufrag(), transport.password(),
                        identity.fingerprint(), "0.0.0.0", port, agreed.media()).writeActiveAnswer()))
                // The owner is an edge: ICE-lite.
                .compose(v -> transport.connect(new ClientTransport.Remote(offer.iceUfrag(), offer.icePassword(),
                        offer.fingerprint(), true)).timeout(CONNECT_TIMEOUT_S, TimeUnit.SECONDS))
                .onSuccess(v -> LOG.info(() -> "pull of " + stream.name() + " from " + transport.selected().orElse(null)
                        + " connected"));
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

    /** A keyframe request from this edge's viewers, to the owner (which passes it to the publisher). */
    @Override
    public void requestKeyframe(int videoSsrc) {
        try {
            transport.sendRtcp(Rtcp.pli(ssrc, videoSsrc));
        } catch (GeneralSecurityException e) {
            LOG.warning("cannot send a keyframe request upstream: " + e.getMessage());
        }
    }

    /** The owner keeps what it sent this edge, per layer, and resends on NACK as it does for players. */
    @Override
    public boolean resends() {
        return true;
    }

    @Override
    public void requestRetransmission(int videoSsrc, int[] sequences) {
        try {
            transport.sendRtcp(Rtcp.nack(ssrc, videoSsrc, sequences));
        } catch (GeneralSecurityException e) {
            LOG.warning("cannot send a retransmission request upstream: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        transport.close();
    }
}
