package p2pedge.media.rtc;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The answering side of a media transport on its own UDP socket, as a browser's: ICE checks with the remote's
 * credentials (controlling and nominating at once against an ICE-lite remote, then refreshing its consent;
 * controlled against a full agent, whose checks it answers), DTLS-SRTP as the client on the first pair that works
 * (the remote's certificate checked against its fingerprint), then SRTP both ways. One implementation for an edge
 * pulling a stream from another edge and for the load-test viewer. All on the Vert.x context it was created on;
 * the blocking handshake runs elsewhere and its keys hop back.
 */
public final class ClientTransport {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long CHECK_INTERVAL_MS = 50;
    /** Once connected, an ICE-lite remote's consent to send (RFC 7675) is refreshed this often, as a browser does. */
    private static final long CONSENT_INTERVAL_MS = 2_000;
    /** The priority of the peer-reflexive candidate a check would discover (RFC 8445 5.1.2), as browsers send it. */
    private static final byte[] CHECK_PRIORITY = ByteBuffer.allocate(4).putInt(1853817087).array();

    /** The remote's side of the transport, from its session description. */
    public record Remote(String ufrag, String password, String fingerprint, boolean iceLite) {
    }

    /** What arrives once secured, decrypted; and what is refused (unauthenticated, unknown, or too early). */
    public interface Receiver {
        /**
         * @param datagramLength the SRTP packet's length on the wire
         * @param readNanos      when it was read from the socket ({@link System#nanoTime})
         */
        void onRtp(byte[] plain, int datagramLength, long readNanos);

        void onRtcp(byte[] plain);

        void onRefused();
    }

    /** Runs the blocking DTLS handshake off the event loop (a worker pool). */
    public interface Handshakes {
        Future<?> run(Callable<?> handshake);
    }

    private final Vertx vertx;
    private final Context context;
    private final BcTlsCrypto crypto;
    private final DtlsCertificate identity;
    private final Handshakes handshakes;
    private final Receiver receiver;
    private final String ufrag = hex(4);
    private final String password = hex(12);
    private final byte[] tieBreaker = randomBytes(8);
    private final List<InetSocketAddress> candidates = new ArrayList<>();
    /** Remote addresses a check with integrity came from or was answered by: media is taken from these only. */
    private final Set<InetSocketAddress> validated = new HashSet<>();
    /** The last address found in {@link #validated} (addresses are never taken out of it). */
    private InetSocketAddress lastValidated;
    private final Promise<Void> secured = Promise.promise();
    private UdpChannel socket;
    private Remote remote;
    private InetSocketAddress selected;
    private DatagramQueue dtls;
    private SrtpTransformer in;
    /** What the server picked (read by monitors on other threads). */
    private volatile SrtpProfile profile;
    private SrtpTransformer out;
    private long checkTimer = -1;
    private long consentTimer = -1;
    private long dtlsIn;
    private long dtlsOut;
    private volatile boolean consentStopped;
    private boolean closed;

    /** Created on the context it then runs on. */
    public ClientTransport(Vertx vertx, BcTlsCrypto crypto, DtlsCertificate identity, Handshakes handshakes, Receiver receiver) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.crypto = crypto;
        this.identity = identity;
        this.handshakes = handshakes;
        this.receiver = receiver;
    }

    /** Binds the socket on {@code host} (an ephemeral port); completes with that port. */
    public Future<Integer> listen(String host) {
        return UdpChannel.bind(context, host, 0, 0, this::onDatagram).map(bound -> {
            socket = bound;
            return bound.localPort();
        });
    }

    /** The socket {@link #listen} bound (null before). */
    public UdpChannel socket() {
        return socket;
    }

    /** This side's ICE credentials, for its answer. */
    public String ufrag() {
        return ufrag;
    }

    public String password() {
        return password;
    }

    /** A remote candidate to check (before or after {@link #connect}). */
    public void addCandidate(InetSocketAddress candidate) {
        if (!candidates.contains(candidate)) {
            candidates.add(candidate);
        }
    }

    public List<InetSocketAddress> candidates() {
        return List.copyOf(candidates);
    }

    /** The remote address DTLS and media go to, once a pair works. */
    public Optional<InetSocketAddress> selected() {
        return Optional.ofNullable(selected);
    }

    /** Starts the checks; completes when the SRTP keys are known (callers bound the wait). */
    public Future<Void> connect(Remote remote) {
        this.remote = remote;
        checkTimer = vertx.setPeriodic(0, CHECK_INTERVAL_MS, t -> sendChecks());
        return secured.future();
    }

    /** A test hook: stops refreshing the remote's consent, as a peer that vanished would. */
    public void stopConsent() {
        consentStopped = true;
    }

    /** Protects and sends RTCP on the selected pair; false when not (or no longer) connected. */
    public boolean sendRtcp(byte[] plain) throws GeneralSecurityException {
        if (out == null || selected == null || closed) {
            return false;
        }
        send(selected, out.protectRtcp(plain));
        return true;
    }

    private void sendChecks() {
        if (selected != null || closed) {
            vertx.cancelTimer(checkTimer);
            return;
        }
        byte[] check = check();
        candidates.forEach(candidate -> send(candidate, check));
    }

    /** Against an ICE-lite remote: controlling, with USE-CANDIDATE on every check (aggressive nomination). */
    private byte[] check() {
        StunMessage.Builder request = StunMessage.builder(StunMessage.BINDING_REQUEST, randomBytes(12))
                .string(StunMessage.USERNAME, remote.ufrag() + ":" + ufrag)
                .attribute(StunMessage.PRIORITY, CHECK_PRIORITY)
                .attribute(remote.iceLite() ? StunMessage.ICE_CONTROLLING : StunMessage.ICE_CONTROLLED, tieBreaker);
        if (remote.iceLite()) {
            request.attribute(StunMessage.USE_CANDIDATE, new byte[0]);
        }
        return request.build(remote.password().getBytes(StandardCharsets.UTF_8), true);
    }

    private void refreshConsent() {
        if (!closed && !consentStopped) {
            send(selected, check());
        }
    }

    private void onDatagram(byte[] data, InetSocketAddress from, long readNanos) {
        PacketKind kind = PacketKind.of(data, data.length);
        if (kind == PacketKind.STUN) {
            onStun(data, from);
        } else if (kind == PacketKind.DTLS) {
            dtlsIn++;
            // DTLS only with the selected pair; a full queue drops the record (DTLS retransmits).
            if (dtls != null && from.equals(selected) && !dtls.offer(data)) {
                receiver.onRefused();
            }
        } else if (kind == PacketKind.RTP && in != null && isValidated(from)) {
            in.unprotectRtp(data).ifPresentOrElse(plain -> receiver.onRtp(plain, data.length, readNanos), receiver::onRefused);
        } else if (kind == PacketKind.RTCP && in != null && isValidated(from)) {
            in.unprotectRtcp(data).ifPresentOrElse(receiver::onRtcp, receiver::onRefused);
        } else if (kind != PacketKind.RTCP) {
            receiver.onRefused(); // RTP before the keys or from elsewhere, or not WebRTC at all (early RTCP is not counted)
        }
    }

    /**
     * Whether media from {@code from} may be taken. A socket reader that hands over one object per sender (SocketPoller)
     * passes the same object again and again: the set's hashing and comparing, a twentieth of a load client's media
     * path, is done once for it.
     */
    private boolean isValidated(InetSocketAddress from) {
        if (from == lastValidated) {
            return true;
        }
        if (!validated.contains(from)) {
            return false;
        }
        lastValidated = from;
        return true;
    }

    private void onStun(byte[] data, InetSocketAddress from) {
        if (remote == null) {
            return; // not connecting yet: no credentials to check anything with
        }
        StunMessage message;
        try {
            message = StunMessage.parse(data, data.length);
        } catch (StunException e) {
            receiver.onRefused();
            return;
        }
        if (message.type() == StunMessage.BINDING_REQUEST) {
            // A full agent's checks and consent refreshes: answered with this side's password.
            if (!message.hasValidIntegrity(password.getBytes(StandardCharsets.UTF_8))) {
                receiver.onRefused();
                return;
            }
            send(from, StunMessage.builder(StunMessage.BINDING_SUCCESS, message.transactionId()).xorMappedAddress(from)
                    .build(password.getBytes(StandardCharsets.UTF_8), true));
            validated.add(from);
            if (message.has(StunMessage.USE_CANDIDATE)) {
                select(from);
            }
        } else if (message.type() == StunMessage.BINDING_SUCCESS && candidates.contains(from)
                && message.hasValidIntegrity(remote.password().getBytes(StandardCharsets.UTF_8))) {
            validated.add(from);
            select(from);
        }
    }

    /** The first pair that works carries DTLS and media. */
    private void select(InetSocketAddress to) {
        if (selected != null || closed) {
            return;
        }
        selected = to;
        vertx.cancelTimer(checkTimer);
        if (remote.iceLite()) {
            consentTimer = vertx.setPeriodic(CONSENT_INTERVAL_MS, t -> refreshConsent());
        }
        dtls = new DatagramQueue(bytes -> {
            dtlsOut++;
            send(to, bytes);
        });
        DtlsSrtpClient client = new DtlsSrtpClient(crypto, identity, remote.fingerprint(),
                keys -> context.runOnContext(v -> onKeys(keys)));
        DatagramQueue transport = dtls;
        handshakes.run(() -> new DTLSClientProtocol().connect(client, transport))
                .onFailure(t -> secured.tryFail("DTLS with " + to + " failed: " + t + " (" + dtlsOut + " datagrams sent, "
                        + dtlsIn + " received, from port " + (socket == null ? -1 : socket.localPort()) + ")"));
    }

    /** The SRTP profile the server picked, once secured; from any thread. */
    public Optional<SrtpProfile> srtpProfile() {
        return Optional.ofNullable(profile);
    }

    private void onKeys(SrtpKeys keys) {
        if (closed) {
            return;
        }
        in = SrtpTransformer.forClientReceiving(keys);
        out = SrtpTransformer.forClientSending(keys);
        profile = keys.profile();
        secured.tryComplete();
    }

    private void send(InetSocketAddress to, byte[] datagram) {
        if (!closed && socket != null) {
            socket.send(datagram, to);
        }
    }

    /** Stops the checks, the handshake and SRTP, and closes the socket; idempotent, on the transport's context. */
    public Future<Void> close() {
        if (closed) {
            return Future.succeededFuture();
        }
        closed = true;
        vertx.cancelTimer(checkTimer);
        vertx.cancelTimer(consentTimer);
        secured.tryFail("transport closed");
        if (dtls != null) {
            dtls.close();
        }
        return socket == null ? Future.succeededFuture() : socket.close();
    }

    private static String hex(int bytes) {
        return HexFormat.of().formatHex(randomBytes(bytes));
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
