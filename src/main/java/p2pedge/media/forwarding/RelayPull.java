package p2pedge.media.forwarding;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import p2pedge.media.rtc.CandidateLine;
import p2pedge.media.rtc.DatagramQueue;
import p2pedge.media.rtc.DtlsCertificate;
import p2pedge.media.rtc.DtlsSrtpClient;
import p2pedge.media.rtc.EdgeSdp;
import p2pedge.media.rtc.Negotiation;
import p2pedge.media.rtc.PacketKind;
import p2pedge.media.rtc.PeerSdp;
import p2pedge.media.rtc.Rtcp;
import p2pedge.media.rtc.SrtpKeys;
import p2pedge.media.rtc.SrtpTransformer;
import p2pedge.media.rtc.StunException;
import p2pedge.media.rtc.StunMessage;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * One edge pulling a stream from the edge it is published on, once, for all its local viewers: to the owner it
 * is a viewer like any other (the owner offers, this edge answers {@code a=setup:active}, does ICE as the
 * controlling side against the owner's ICE-lite port and DTLS-SRTP as the client, with both fingerprints
 * checked); what arrives is decrypted and handed to the local {@link ForwardedStream}, whose viewers' keyframe
 * requests go back up as PLIs. The offer and answer travel over the clustered event bus between the two media
 * verticles; the media itself is SRTP between the edges' UDP ports. Runs on the media verticle's context.
 */
final class RelayPull implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RelayPull.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long CHECK_INTERVAL_MS = 50;
    /** Once connected, the owner's consent to send (RFC 7675) is refreshed this often, as a browser does. */
    private static final long CONSENT_INTERVAL_MS = 2_000;
    private static final long CONNECT_TIMEOUT_S = 10;

    private final Vertx vertx;
    private final Context context;
    private final BcTlsCrypto crypto;
    private final DtlsCertificate identity;
    private final ForwardedStream stream;
    private final String ufrag = ForwardedStream.token(8);
    private final String password = ForwardedStream.token(24);
    private final byte[] tieBreaker = new byte[8];
    private final int ssrc = RANDOM.nextInt();
    private final Promise<Void> secured = Promise.promise();
    private final List<InetSocketAddress> candidates = new ArrayList<>();
    private DatagramSocket socket;
    private PeerSdp offer;
    private InetSocketAddress selected;
    private DatagramQueue dtls;
    private SrtpTransformer in;
    private SrtpTransformer out;
    private long checkTimer = -1;
    private boolean closed;

    RelayPull(Vertx vertx, Context context, BcTlsCrypto crypto, DtlsCertificate identity, ForwardedStream stream) {
        this.vertx = vertx;
        this.context = context;
        this.crypto = crypto;
        this.identity = identity;
        this.stream = stream;
        RANDOM.nextBytes(tieBreaker);
    }

    /**
     * Answers the owner's offer (sent back with {@code sendAnswer}) and connects; completes when the keys are
     * known. {@code candidates} are the owner's, "address port" pairs from its candidate lines.
     */
    Future<Void> start(String offerSdp, List<String> ownerCandidates, Function<String, Future<Void>> sendAnswer) {
        Negotiation.Answer agreed;
        try {
            offer = PeerSdp.parseOffer(offerSdp);
            agreed = Negotiation.owner(offer, stream.codec, stream.name());
        } catch (IllegalArgumentException e) {
            return Future.failedFuture("the owner's offer is unusable: " + e.getMessage());
        }
        ownerCandidates.stream().map(CandidateLine::parse).flatMap(Optional::stream).filter(CandidateLine::udp)
                .map(CandidateLine::socketAddress).forEach(candidates::add);
        if (candidates.isEmpty()) {
            return Future.failedFuture("the owner announced no UDP candidate");
        }
        stream.relayFrom(agreed.videoType(), agreed.audioType(), this::sendPli);
        return vertx.createDatagramSocket().listen(0, "0.0.0.0").compose(bound -> {
            socket = bound;
            socket.handler(this::onDatagram);
            String answer = new EdgeSdp(ufrag, password, identity.fingerprint(), "0.0.0.0", bound.localAddress().port(), agreed.media())
                    .writeActiveAnswer();
            return sendAnswer.apply(answer);
        }).compose(v -> {
            checkTimer = vertx.setPeriodic(0, CHECK_INTERVAL_MS, t -> sendChecks());
            return secured.future().timeout(CONNECT_TIMEOUT_S, TimeUnit.SECONDS);
        }).onSuccess(v -> {
            stream.upstreamSecured();
            LOG.info(() -> "relay of " + stream.name() + " from " + selected + " connected");
        });
    }

    private void sendChecks() {
        if (closed) {
            vertx.cancelTimer(checkTimer);
            return;
        }
        if (selected != null) {
            // Connected: from now on only consent refreshes, on the selected pair.
            vertx.cancelTimer(checkTimer);
            checkTimer = vertx.setPeriodic(CONSENT_INTERVAL_MS, t -> {
                if (!closed) {
                    send(selected, check());
                }
            });
            return;
        }
        byte[] check = check();
        candidates.forEach(candidate -> send(candidate, check));
    }

    private byte[] check() {
        byte[] transaction = new byte[12];
        RANDOM.nextBytes(transaction);
        return StunMessage.builder(StunMessage.BINDING_REQUEST, transaction)
                .string(StunMessage.USERNAME, offer.iceUfrag() + ":" + ufrag)
                .attribute(StunMessage.PRIORITY, ByteBuffer.allocate(4).putInt(1853817087).array())
                .attribute(StunMessage.ICE_CONTROLLING, tieBreaker)
                .attribute(StunMessage.USE_CANDIDATE, new byte[0])
                .build(offer.icePassword().getBytes(StandardCharsets.UTF_8), true);
    }

    private void onDatagram(DatagramPacket packet) {
        byte[] data = packet.data().getBytes();
        InetSocketAddress from = new InetSocketAddress(packet.sender().host(), packet.sender().port());
        PacketKind kind = PacketKind.of(data, data.length);
        if (kind == PacketKind.STUN) {
            onStun(data, from);
        } else if (!from.equals(selected)) {
            return; // nothing but the owner's selected address speaks on this socket
        } else if (kind == PacketKind.DTLS && dtls != null) {
            dtls.offer(data);
        } else if (kind == PacketKind.RTP && in != null) {
            in.unprotectRtp(data).ifPresent(stream::onUpstreamRtp);
        } else if (kind == PacketKind.RTCP && in != null) {
            in.unprotectRtcp(data).ifPresent(stream::onUpstreamRtcp);
        }
    }

    private void onStun(byte[] data, InetSocketAddress from) {
        try {
            StunMessage message = StunMessage.parse(data, data.length);
            if (selected == null && message.type() == StunMessage.BINDING_SUCCESS && candidates.contains(from)
                    && message.hasValidIntegrity(offer.icePassword().getBytes(StandardCharsets.UTF_8))) {
                selected = from;
                handshake();
            }
        } catch (StunException e) {
            // not for us
        }
    }

    private void handshake() {
        InetSocketAddress to = selected;
        dtls = new DatagramQueue(bytes -> send(to, bytes));
        DtlsSrtpClient client = new DtlsSrtpClient(crypto, identity, offer.fingerprint(), keys -> context.runOnContext(v -> onKeys(keys)));
        DatagramQueue transport = dtls;
        vertx.executeBlocking(() -> new DTLSClientProtocol().connect(client, transport), false)
                .onFailure(t -> secured.tryFail("DTLS with " + to + " failed: " + t.getMessage()));
    }

    private void onKeys(SrtpKeys keys) {
        if (closed) {
            return;
        }
        in = SrtpTransformer.forClientReceiving(keys);
        out = SrtpTransformer.forClientSending(keys);
        secured.tryComplete();
    }

    /** A keyframe request from this edge's viewers, to the owner (which passes it to the publisher). */
    private void sendPli(int mediaSsrc) {
        if (out == null || selected == null) {
            return;
        }
        try {
            send(selected, out.protectRtcp(Rtcp.pli(ssrc, mediaSsrc)));
        } catch (GeneralSecurityException e) {
            LOG.warning("cannot send a keyframe request upstream: " + e.getMessage());
        }
    }

    private void send(InetSocketAddress to, byte[] datagram) {
        if (!closed && socket != null) {
            socket.send(Buffer.buffer(datagram), to.getPort(), to.getHostString());
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        vertx.cancelTimer(checkTimer);
        secured.tryFail("relay closed");
        if (dtls != null) {
            dtls.close();
        }
        if (in != null) {
            in.close();
            out.close();
        }
        if (socket != null) {
            socket.close();
        }
    }
}
