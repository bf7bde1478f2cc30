package p2pedge.media.rtc;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The forwarding media plane's one UDP port: ICE-lite checks are answered here (only authenticated ones: anything
 * else gets silence), and every remote address that passed a check is bound to the session (local ufrag) it
 * authenticated for. A session runs at most one DTLS-SRTP handshake at a time, started by a ClientHello from its
 * nominated address (or its only validated one, before a nomination), on a small bounded pool of its own; the address the handshake completed on becomes the
 * session's selected address, the only one its media is sent to (see {@link PeerAddresses}). Everything else is
 * dropped and counted by reason. The port alone owns its session table: a session is {@link #open opened} with its
 * credentials and {@link #close(String) closed}, which forgets everything the port kept for it. Runs on the context
 * {@link #listen} was called on: close sessions there; the table itself is concurrent, so tests may open a session
 * from their own thread.
 */
public final class SharedUdpPort {

    private static final Logger LOG = Logger.getLogger(SharedUdpPort.class.getName());

    /**
     * @param handshakeThreads DTLS handshakes that run at once
     * @param handshakeQueue   handshakes that may wait for a thread (more are refused; the peer retransmits)
     * @param stallMillis      a handshake whose peer sends nothing for this long gives its thread back
     */
    public record Limits(int handshakeThreads, int handshakeQueue, long stallMillis) {
        public static final Limits DEFAULTS = new Limits(4, 16, 3_000);
    }

    /**
     * A DTLS association on one address: a handshake running, or done (then {@code transport} is set). Touched on the
     * port's context only; the handshake thread sees its queue and hands its outcome back ({@link Secured}).
     */
    private static final class Association {
        /** Where the peer is: the handshake's address, then wherever a verified move took it (see RouteCheck). */
        InetSocketAddress address;
        final DatagramQueue queue;
        DTLSTransport transport;
        boolean draining;
        final long startedNanos;
        /** Until the handshake completes: the client's last flight in an order DTLS can take (see CipherChangeGate). */
        final CipherChangeGate gate = new CipherChangeGate();
        /** The first datagrams it was handed, in short (see DtlsRecords#describe): why a handshake did not progress. */
        final List<String> traced = new ArrayList<>();

        Association(InetSocketAddress address, Limits limits, LongSupplier millis, BiConsumer<byte[], InetSocketAddress> transmit,
                    long startedNanos) {
            this.address = address;
            this.queue = new DatagramQueue(bytes -> transmit.accept(bytes, this.address), limits.stallMillis(), millis);
            this.startedNanos = startedNanos;
        }

        void trace(byte[] datagram) {
            if (traced.size() < TRACED_DATAGRAMS) {
                traced.add(DtlsRecords.describe(datagram));
            }
        }

        void close() {
            queue.close();
            DTLSTransport done = transport;
            if (done != null) {
                try {
                    done.close(); // its close_notify goes nowhere: the queue is closed
                } catch (Exception e) {
                    // already failed
                }
            }
        }
    }

    /**
     * Our Binding request to an address the peer nominated after its handshake: libwebrtc switches its selected pair
     * when a better one starts working (from ICE-TCP to UDP once UDP answers, after a network change), keeps its
     * DTLS association and sends its checks from there only. Media follows once the address answers this request,
     * made with the peer's own ICE password: a peer that forges the source of its checks (it knows its password)
     * cannot steer its media at somebody else, who would not answer.
     */
    private record RouteCheck(InetSocketAddress address, byte[] transactionId, long sentNanos) {
    }

    /** What a handshake thread hands back to the port's context: the transport and the keys it exported. */
    private record Secured(DTLSTransport transport, SrtpKeys keys) {
    }

    /** What the port keeps of one session's peer. Touched on the port's context only. */
    private static final class Peer {
        final PeerAddresses addresses = new PeerAddresses();
        Association handshake;
        Association established;
        /** A handshake task of this session holds a thread or a queue slot: never more than one per session. */
        boolean running;
        /** When this session last started a handshake (nanoseconds; 0: never). */
        long lastStart;
        /** A ClientHello that came before its address was nominated (libwebrtc starts DTLS once a pair is writable). */
        InetSocketAddress heldFrom;
        /** Its datagrams: the first fragment, then the rest of a ClientHello too big for one (Chrome's key shares). */
        List<byte[]> heldHello = List.of();
        /** The one route check awaiting its answer, if any. */
        RouteCheck routeCheck;
        /** A check of this session was answered (its session told, once). */
        boolean checked;

        void close() {
            if (handshake != null) {
                handshake.close();
            }
            if (established != null) {
                established.close();
            }
        }
    }

    /** Datagrams of one held ClientHello: its first fragment and a few more (a post-quantum key share needs two). */
    private static final int HELD_DATAGRAMS = 4;

    /** A session's route check is repeated (on its peer's next nominating check) at most this often. */
    private static final long ROUTE_CHECK_INTERVAL_NANOS = 500_000_000L;

    /** The priority our route checks announce (a peer-reflexive candidate's, as any; nothing depends on it). */
    private static final byte[] ROUTE_CHECK_PRIORITY = ByteBuffer.allocate(4).putInt(1853817087).array();

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A session may start a fresh handshake (a move, a restart) at most this often. */
    private static final long MIN_HANDSHAKE_INTERVAL_NANOS = 1_000_000_000L;

    private final Vertx vertx;
    private final IceLiteResponder responder;
    /** The sessions the port answers for, by local ICE ufrag: publishers, viewers, other edges' pulls. */
    private final Map<String, MediaSession> sessions = new ConcurrentHashMap<>();
    private final DtlsCertificate identity;
    private final BcTlsCrypto crypto;
    private final Limits limits;
    private final LongSupplier nanoClock;
    private final DtlsHandshakes handshakes;
    private final Map<InetSocketAddress, String> ufragByRemote = new ConcurrentHashMap<>();
    private final Map<String, Peer> peers = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> dropped = new ConcurrentHashMap<>();
    private static final int RECENT_FAILURES = 8;
    private static final int TRACED_DATAGRAMS = 40;
    private final Deque<String> recentFailures = new ArrayDeque<>();
    private final LongAdder checksAnswered = new LongAdder();
    private final LongAdder handshakesDone = new LongAdder();
    private final LongAdder routesMoved = new LongAdder();
    /** Our ICE tie-breaker, in the route checks we send as the controlled agent. */
    private final byte[] tieBreaker = new byte[8];
    private final LongAdder recordsAfterHandshake = new LongAdder();
    private final LongAdder sentBytes = new LongAdder();
    private Context context;
    private UdpChannel socket;
    /** The second port of {@link #playerStun} (null: none). */
    private UdpChannel stunSocket;
    /** Answers players' Binding requests without credentials (null: they get silence, like any stranger's). */
    private PlayerStun playerStun;
    /** ICE-TCP connections, each standing for its remote address like a UDP peer (null: no TCP). */
    private IceTcpListener tcp;
    private double simulatedLoss;
    private volatile List<SrtpProfile> srtpProfiles = SrtpProfile.PREFERENCE;
    private double simulatedIncomingLoss;

    public SharedUdpPort(Vertx vertx, BcTlsCrypto crypto, DtlsCertificate identity) {
        this(vertx, crypto, identity, Limits.DEFAULTS, System::nanoTime);
    }

    public SharedUdpPort(Vertx vertx, BcTlsCrypto crypto, DtlsCertificate identity, Limits limits, LongSupplier nanoClock) {
        this.vertx = vertx;
        this.crypto = crypto;
        this.identity = identity;
        this.limits = limits;
        this.nanoClock = nanoClock;
        this.handshakes = new DtlsHandshakes(limits.handshakeThreads(), limits.handshakeQueue());
        this.responder = new IceLiteResponder(ufrag -> session(ufrag).map(MediaSession::password));
        RANDOM.nextBytes(tieBreaker);
    }

    public Future<Integer> listen(String host, int port) {
        return listen(host, port, 0);
    }

    /** Binds the port; {@code receiveTickMillis} as {@link UdpChannel#bind(Context, String, int, int, int, UdpChannel.Receiver)}. */
    public Future<Integer> listen(String host, int port, int receiveTickMillis) {
        context = vertx.getOrCreateContext();
        Promise<Integer> bound = Promise.promise();
        // The socket's handler runs on this context, like the handshakes' outcomes: one thread owns the port's state.
        context.runOnContext(v -> {
            UdpChannel.bind(context, host, port, 4 << 20, receiveTickMillis, new UdpChannel.Receiver() {
                @Override
                public void onDatagram(byte[] data, InetSocketAddress from, long readNanos) {
                    onPacket(data, from, readNanos);
                }

                @Override
                public void onStale() {
                    countDropped(RECEIVED_STALE);
                }
            }).map(channel -> {
                        socket = channel;
                        return channel.localPort();
                    })
                    .onSuccess(p -> LOG.info(() -> "media port listening on " + host + ":" + p))
                    .onComplete(bound);
        });
        return bound.future();
    }

    /**
     * Answers players' STUN Binding requests (no credentials) with {@code stun}, on this port and on a second one,
     * {@code host:port} (0: any free port), whose number the returned future gives. Call after {@link #listen}.
     */
    public Future<Integer> answerPlayerStun(PlayerStun stun, String host, int port) {
        Promise<Integer> bound = Promise.promise();
        context.runOnContext(v -> {
            playerStun = stun;
            UdpChannel.bind(context, host, port, 0, this::onStunPortDatagram).map(channel -> {
                        stunSocket = channel;
                        return channel.localPort();
                    })
                    .onSuccess(p -> LOG.info(() -> "player STUN on " + host + ":" + socket.localPort() + " and :" + p))
                    .onComplete(bound);
        });
        return bound.future();
    }

    /**
     * Takes ICE-TCP connections (passive, RFC 6544) on {@code host:port} as well: their frames are handled like
     * datagrams from their remote address, and whatever the port sends to that address goes back on the connection.
     * Call after {@link #listen}; the future gives the bound TCP port.
     */
    public Future<Integer> listenTcp(String host, int port, IceTcpListener.Limits tcpLimits) {
        Promise<Integer> bound = Promise.promise();
        context.runOnContext(v -> {
            tcp = new IceTcpListener(context, tcpLimits, new IceTcpListener.Port() {
                @Override
                public void onPacket(byte[] packet, InetSocketAddress from) {
                    // The frame's wait for this context is not seen here: a TCP peer's media counts from now.
                    SharedUdpPort.this.onPacket(packet, from, System.nanoTime());
                }

                @Override
                public boolean authenticated(InetSocketAddress remote) {
                    return ufragByRemote.containsKey(remote);
                }

                @Override
                public void closed(InetSocketAddress remote) {
                    String ufrag = ufragByRemote.remove(remote);
                    Peer peer = ufrag == null ? null : peers.get(ufrag);
                    if (peer != null) {
                        loseAddress(peer, remote);
                    }
                }

                @Override
                public void countDropped(String reason) {
                    SharedUdpPort.this.countDropped(reason);
                }
            });
            tcp.listen(host, port).onComplete(bound);
        });
        return bound.future();
    }

    /** ICE-TCP connections open now (0 without TCP). */
    public int tcpConnections() {
        return tcp == null ? 0 : tcp.connectionCount();
    }

    /** The second STUN port answers players' Binding requests and nothing else. */
    private void onStunPortDatagram(byte[] data, InetSocketAddress from, long readNanos) {
        Optional<byte[]> answer = playerStun.answer(data, data.length, from, stunSocket.localPort());
        if (answer.isPresent()) {
            sentBytes.add(answer.get().length);
            stunSocket.send(answer.get(), from);
        } else {
            countDropped("stun port: not answered");
        }
    }

    public Future<Void> close() {
        handshakes.close();
        Future<Void> stun = stunSocket == null ? Future.succeededFuture() : stunSocket.close();
        Future<Void> tcpClosed = tcp == null ? Future.succeededFuture() : tcp.close();
        return socket == null ? Future.all(stun, tcpClosed).mapEmpty() : Future.all(stun, tcpClosed, socket.close()).mapEmpty();
    }

    /**
     * Answers a session's ICE checks and takes its DTLS handshake and media from now on, until {@link #close(String)}.
     *
     * @throws IllegalStateException when a session with that local ufrag is open already
     */
    public void open(MediaSession session) {
        if (sessions.putIfAbsent(session.localUfrag(), session) != null) {
            throw new IllegalStateException("ICE ufrag " + session.localUfrag() + " is in use on the media port");
        }
    }

    /**
     * Ends a session: its checks and media go unanswered from now on, its addresses are forgotten and its DTLS
     * association (or running handshake) is closed. Idempotent; an unknown ufrag is ignored.
     */
    public void close(String localUfrag) {
        sessions.remove(localUfrag);
        Peer peer = peers.remove(localUfrag);
        if (peer != null) {
            peer.close();
        }
        ufragByRemote.entrySet().removeIf(e -> {
            if (!e.getValue().equals(localUfrag)) {
                return false;
            }
            if (tcp != null) {
                tcp.close(e.getKey()); // a TCP peer's connection ends with its session
            }
            return true;
        });
    }

    /** Sessions open on the port. */
    public int sessionCount() {
        return sessions.size();
    }

    private Optional<MediaSession> session(String localUfrag) {
        return Optional.ofNullable(sessions.get(localUfrag));
    }

    /** The session (local ufrag) a remote address authenticated for, if it did. */
    public Optional<String> sessionOf(InetSocketAddress remote) {
        return Optional.ofNullable(ufragByRemote.get(remote));
    }

    /** Where a session's media goes: the address its peer completed DTLS on, while it still belongs to it. */
    public Optional<InetSocketAddress> addressOf(String localUfrag) {
        Peer peer = peers.get(localUfrag);
        return peer == null ? Optional.empty() : peer.addresses.selected();
    }

    /**
     * True when a session that was connected may no longer be sent to: no valid check from its selected address
     * for {@code timeoutNanos} (RFC 7675 consent), or that address went to another session.
     */
    public boolean consentExpired(String localUfrag, long timeoutNanos) {
        Peer peer = peers.get(localUfrag);
        return peer != null && peer.addresses.consentExpired(nanoClock.getAsLong(), timeoutNanos);
    }

    /** DTLS datagrams after a completed handshake (peers retransmitting their final flight: ours is resent). */
    public long recordsAfterHandshake() {
        return recordsAfterHandshake.sum();
    }

    public long checksAnswered() {
        return checksAnswered.sum();
    }

    /** DTLS handshakes running now, and waiting for a thread. */
    public int handshakesActive() {
        return handshakes.active();
    }

    public int handshakesQueued() {
        return handshakes.queued();
    }

    /**
     * The last few handshakes that failed, oldest first: address, cause, how long after its start and how many
     * datagrams each side handed the other (diagnosis; bounded, so a peer that fails on purpose costs nothing).
     */
    public List<String> recentHandshakeFailures() {
        synchronized (recentFailures) {
            return List.copyOf(recentFailures);
        }
    }

    /** Dropped datagrams by reason (monitoring, and the fuzz tests' proof that nothing got through). */
    public Map<String, Long> dropped() {
        Map<String, Long> out = new TreeMap<>();
        dropped.forEach((reason, count) -> out.put(reason, count.sum()));
        return out;
    }

    private void onPacket(byte[] data, InetSocketAddress from, long arrivedNanos) {
        PacketKind kind = PacketKind.of(data, data.length);
        switch (kind) {
            case STUN -> onStun(data, from);
            case DTLS -> onDtls(data, from);
            case RTP, RTCP -> {
                if (kind == PacketKind.RTP && simulatedIncomingLoss > 0
                        && ThreadLocalRandom.current().nextDouble() < simulatedIncomingLoss) {
                    countDropped("simulated source loss");
                    return;
                }
                // Only addresses that passed ICE reach a session (which still needs its SRTP keys to accept them).
                Optional<MediaSession> session = sessionOf(from).flatMap(this::session);
                if (session.isPresent()) {
                    session.get().onMedia().onMedia(kind, data, arrivedNanos);
                } else {
                    countDropped("media: unknown address");
                }
            }
            default -> countDropped("not STUN, DTLS or RTP");
        }
    }

    private void onStun(byte[] data, InetSocketAddress from) {
        if (data.length >= 2 && ((data[0] & 0xff) << 8 | (data[1] & 0xff)) == StunMessage.BINDING_SUCCESS) {
            onRouteCheckAnswer(data, from);
            return;
        }
        IceLiteResponder.Result result = responder.onDatagram(data, data.length, from);
        if (!result.accepted() && result.rejected().reason() == IceLiteResponder.Rejection.NO_CREDENTIALS
                && playerStun != null) {
            playerStun.answer(result.rejected().request(), from, socket.localPort()).ifPresentOrElse(
                    answer -> transmit(answer, answer.length, from), () -> countDropped("stun: player binding not answered"));
            return;
        }
        if (!result.accepted()) {
            // Silence: no reflection for strangers, no oracle for credential guessers.
            countDropped("stun: " + result.rejected().reason().name().toLowerCase(Locale.ROOT));
            return;
        }
        IceLiteResponder.Check check = result.check();
        String ufrag = check.localUfrag();
        String previous = ufragByRemote.put(from, ufrag);
        if (previous != null && !previous.equals(ufrag)) {
            // The address now belongs to another session (a port reused, a NAT binding recycled): the old session
            // loses it, with any DTLS state on it.
            Peer old = peers.get(previous);
            if (old != null) {
                loseAddress(old, from);
            }
        }
        Peer peer = peers.computeIfAbsent(ufrag, u -> new Peer());
        InetSocketAddress displaced = peer.addresses.onCheck(from, check.nominated(), nanoClock.getAsLong());
        if (displaced != null) {
            ufragByRemote.remove(displaced, ufrag);
            loseAddress(peer, displaced);
            countDropped("ice: address displaced (more than " + PeerAddresses.MAX_ADDRESSES + " per session)");
        }
        checksAnswered.increment();
        byte[] response = check.response();
        transmit(response, response.length, from);
        if (!peer.checked) {
            peer.checked = true;
            MediaSession session = sessions.get(ufrag);
            if (session != null) {
                session.onChecked().run();
            }
        }
        if (check.nominated() && peer.established != null && !from.equals(peer.established.address)) {
            checkRoute(ufrag, peer, from);
        }
        if (check.nominated() && from.equals(peer.heldFrom)) {
            // The held ClientHello's address is nominated now: its handshake replaces one on another address.
            if (peer.handshake != null && !peer.handshake.address.equals(from)) {
                peer.handshake.close();
                peer.handshake = null;
                countDropped("dtls: handshake replaced (nominated address changed)");
            }
            if (!peer.running) {
                startHeld(ufrag, peer);
            }
        }
    }

    /** Asks the peer, at an address it nominated after its handshake, to prove it is there (see RouteCheck). */
    private void checkRoute(String ufrag, Peer peer, InetSocketAddress to) {
        MediaSession session = sessions.get(ufrag);
        if (session == null || session.remoteUfrag() == null || session.remotePassword() == null) {
            countDropped("ice: nominated address not followed (peer credentials unknown)");
            return;
        }
        long now = nanoClock.getAsLong();
        RouteCheck pending = peer.routeCheck;
        if (pending != null && now - pending.sentNanos() < ROUTE_CHECK_INTERVAL_NANOS) {
            return; // one in flight; the peer's next nominating check asks again
        }
        byte[] transactionId = new byte[12];
        RANDOM.nextBytes(transactionId);
        byte[] request = StunMessage.builder(StunMessage.BINDING_REQUEST, transactionId)
                .string(StunMessage.USERNAME, session.remoteUfrag() + ":" + ufrag)
                .attribute(StunMessage.PRIORITY, ROUTE_CHECK_PRIORITY)
                .attribute(StunMessage.ICE_CONTROLLED, tieBreaker)
                .build(session.remotePassword().getBytes(StandardCharsets.UTF_8), true);
        peer.routeCheck = new RouteCheck(to, transactionId, now);
        transmit(request, request.length, to);
    }

    /** A Binding success: the answer to a route check moves the session's media there; anything else is dropped. */
    private void onRouteCheckAnswer(byte[] data, InetSocketAddress from) {
        String ufrag = ufragByRemote.get(from);
        Peer peer = ufrag == null ? null : peers.get(ufrag);
        MediaSession session = ufrag == null ? null : sessions.get(ufrag);
        RouteCheck pending = peer == null ? null : peer.routeCheck;
        if (pending == null || session == null || !pending.address().equals(from) || peer.established == null) {
            countDropped("stun: unexpected response");
            return;
        }
        StunMessage response;
        try {
            response = StunMessage.parse(data, data.length);
        } catch (StunException e) {
            countDropped("stun: unexpected response");
            return;
        }
        if (!Arrays.equals(response.transactionId(), pending.transactionId())
                || !response.hasValidIntegrity(session.remotePassword().getBytes(StandardCharsets.UTF_8))) {
            countDropped("stun: unexpected response");
            return;
        }
        peer.routeCheck = null;
        InetSocketAddress previous = peer.established.address;
        routesMoved.increment(); // first: whoever sees the new address sees the move counted
        peer.established.address = from;
        peer.addresses.select(from, nanoClock.getAsLong());
        LOG.fine(() -> "session " + ufrag + ": media moves from " + previous + " to " + from + " (the peer's new path)");
    }

    private static void loseAddress(Peer peer, InetSocketAddress address) {
        peer.addresses.lose(address);
        if (peer.handshake != null && peer.handshake.address.equals(address)) {
            peer.handshake.close();
            peer.handshake = null;
        }
        if (peer.established != null && peer.established.address.equals(address)) {
            peer.established.close();
            peer.established = null;
        }
        if (address.equals(peer.heldFrom)) {
            peer.heldFrom = null;
            peer.heldHello = List.of();
        }
    }

    /**
     * DTLS from an address that passed ICE: to the association on that address if there is one; a ClientHello from
     * the nominated address (or, before a nomination, the only validated one: see PeerAddresses#mayStartDtls) starts
     * the session's handshake (replacing one running on another address: the peer moved, and at most one runs per
     * session); a ClientHello from another address is held until that address is nominated.
     */
    private void onDtls(byte[] data, InetSocketAddress from) {
        String ufrag = ufragByRemote.get(from);
        Peer peer = ufrag == null ? null : peers.get(ufrag);
        Optional<MediaSession> session = peer == null ? Optional.empty() : session(ufrag);
        if (session.isEmpty()) {
            countDropped("dtls: unknown address");
            return;
        }
        if (peer.established != null && peer.established.address.equals(from)) {
            afterHandshake(peer.established, data);
            return;
        }
        if (peer.handshake != null && peer.handshake.address.equals(from)) {
            handOn(peer.handshake, data);
            return;
        }
        if (DtlsRecords.continuesClientHello(data) && from.equals(peer.heldFrom) && peer.heldHello.size() < HELD_DATAGRAMS) {
            // The rest of a held ClientHello: without it the handshake would wait for the peer's retransmission.
            peer.heldHello.add(data);
            countDropped("dtls: ClientHello fragment held");
            return;
        }
        if (!DtlsRecords.startsClientHello(data)) {
            countDropped("dtls: not a ClientHello");
            return;
        }
        if (!peer.addresses.mayStartDtls(from)) {
            hold(peer, from, new ArrayList<>(List.of(data)));
            countDropped("dtls: address not nominated (ClientHello held)");
            return;
        }
        startHandshake(ufrag, peer, session.get(), from, new ArrayList<>(List.of(data)));
    }

    /** A datagram for a handshake in progress, through its gate. */
    private void handOn(Association association, byte[] data) {
        association.trace(data);
        long droppedBefore = association.gate.dropped();
        for (byte[] admitted : association.gate.admit(data)) {
            if (!association.queue.offer(admitted)) {
                countDropped("dtls: queue full");
            }
        }
        if (association.gate.dropped() > droppedBefore) {
            countDropped("dtls: too many records ahead of the CertificateVerify");
        }
    }

    /**
     * DTLS after the handshake: the peer lost our last flight and sends its own again. Reading the transport lets
     * Bouncy Castle resend ours (application data is not expected and is discarded).
     */
    private void afterHandshake(Association association, byte[] data) {
        recordsAfterHandshake.increment();
        if (!association.queue.offer(data)) {
            countDropped("dtls: queue full");
            return;
        }
        drain(association);
    }

    /**
     * Reads what waits in a completed association's queue. Called for every datagram after the handshake, when
     * the handshake completes (a retransmission may have come while its completion hopped to this context), and
     * when a drain ends with more waiting: no datagram is left unread until the peer's next retransmission.
     */
    private void drain(Association association) {
        DTLSTransport transport = association.transport;
        if (association.draining || transport == null || association.queue.pending() == 0) {
            return;
        }
        association.draining = true;
        handshakes.submit(context, () -> {
            byte[] buffer = new byte[transport.getReceiveLimit()];
            while (association.queue.pending() > 0 && transport.receive(buffer, 0, buffer.length, 10) >= 0) {
                // application data: WebRTC data channels are not offered, nothing to deliver
            }
            return null;
        }).onComplete(ar -> {
            association.draining = false;
            if (ar.failed() && ar.cause() instanceof DtlsHandshakes.Refused) {
                countDropped("dtls: handshakes at capacity");
            } else if (ar.succeeded()) {
                drain(association);
            }
        });
    }

    private static void hold(Peer peer, InetSocketAddress from, List<byte[]> hello) {
        peer.heldFrom = from;
        peer.heldHello = hello;
    }

    private void startHandshake(String ufrag, Peer peer, MediaSession session, InetSocketAddress from, List<byte[]> hello) {
        if (peer.handshake != null) {
            peer.handshake.close(); // its thread ends at its next read
            peer.handshake = null;
            countDropped("dtls: handshake replaced (nominated address changed)");
        }
        long now = nanoClock.getAsLong();
        boolean tooSoon = peer.lastStart != 0 && now - peer.lastStart < MIN_HANDSHAKE_INTERVAL_NANOS;
        if (peer.running || tooSoon) {
            // One executor slot per session, and a bounded rate of fresh handshakes: this ClientHello waits (the
            // previous thread ends at once; a peer's retransmission or nominating check starts it later).
            hold(peer, from, hello);
            if (tooSoon) {
                countDropped("dtls: handshake restarted too soon (ClientHello held)");
            }
            return;
        }
        peer.lastStart = now;
        Association association = new Association(from, limits, () -> nanoClock.getAsLong() / 1_000_000,
                (datagram, to) -> transmit(datagram, datagram.length, to), now);
        hello.forEach(datagram -> handOn(association, datagram));
        peer.handshake = association;
        peer.running = true;
        String fingerprint = session.remoteFingerprint();
        List<SrtpProfile> profiles = srtpProfiles;
        handshakes.submit(context, () -> {
                    association.queue.begin();
                    // The keys are exported on this thread, during accept: they go back to the context with the transport.
                    SrtpKeys[] exported = new SrtpKeys[1];
                    DTLSTransport transport = new DTLSServerProtocol().accept(
                            new DtlsSrtpServer(crypto, identity, fingerprint, profiles, keys -> exported[0] = keys), association.queue);
                    return new Secured(transport, exported[0]);
                })
                .onComplete(ar -> {
                    peer.running = false;
                    if (ar.succeeded()) {
                        completed(ufrag, peer, session, association, ar.result());
                    } else {
                        failed(peer, association, ar.cause());
                    }
                    startHeld(ufrag, peer);
                });
    }

    private void completed(String ufrag, Peer peer, MediaSession session, Association association, Secured secured) {
        association.transport = secured.transport();
        if (peers.get(ufrag) != peer || peer.handshake != association) {
            association.close(); // the session ended or moved on meanwhile
            return;
        }
        handshakesDone.increment();
        peer.handshake = null;
        Association previous = peer.established;
        peer.established = association;
        peer.addresses.select(association.address, nanoClock.getAsLong());
        if (previous != null) {
            previous.close(); // a move: the old address's DTLS state goes; the session replaces its SRTP contexts
        }
        session.onSecured().accept(secured.keys());
        drain(association);
    }

    private void failed(Peer peer, Association association, Throwable t) {
        association.queue.close();
        if (peer.handshake != association) {
            return; // replaced, or its address or session went: counted then
        }
        peer.handshake = null;
        if (t instanceof DtlsHandshakes.Refused) {
            countDropped("dtls: handshakes at capacity");
        } else {
            countDropped("dtls: handshake failed");
            synchronized (recentFailures) {
                if (recentFailures.size() == RECENT_FAILURES) {
                    recentFailures.removeFirst();
                }
                recentFailures.addLast(association.address + ": " + t + " after " + (nanoClock.getAsLong() - association.startedNanos) / 1_000_000 + " ms, "
                        + association.queue.received() + " datagrams in, " + association.queue.sent() + " out; in: " + association.traced);
            }
            LOG.fine(() -> "DTLS with " + association.address + " failed: " + t);
        }
    }

    /** A ClientHello that waited for its address's nomination or for the session's previous handshake. */
    private void startHeld(String ufrag, Peer peer) {
        InetSocketAddress from = peer.heldFrom;
        if (from == null || peers.get(ufrag) != peer || peer.handshake != null || !peer.addresses.isNominated(from)
                || (peer.established != null && peer.established.address.equals(from))) {
            return;
        }
        List<byte[]> hello = peer.heldHello;
        peer.heldFrom = null;
        peer.heldHello = List.of();
        session(ufrag).ifPresent(session -> startHandshake(ufrag, peer, session, from, hello));
    }

    /**
     * The SRTP profiles a peer's DTLS handshake may settle on, the preferred first (default {@link SrtpProfile#PREFERENCE});
     * for handshakes that start after the call.
     */
    public void srtpProfiles(List<SrtpProfile> preference) {
        if (preference.isEmpty()) {
            throw new IllegalArgumentException("at least one SRTP profile");
        }
        this.srtpProfiles = List.copyOf(preference);
    }

    /**
     * Drops this share of outgoing RTP on purpose (0 to 1): a diagnostic and test hook, to watch viewers
     * recover through NACK and PLI. Off by default; on the port's context.
     */
    public void simulateOutgoingRtpLoss(double share) {
        this.simulatedLoss = share;
    }

    /**
     * Drops this share of incoming RTP on purpose (0 to 1), before a session decrypts it, as a lossy path from a
     * publisher would: a diagnostic and test hook, to watch the edge recover its sources' packets. Off by default.
     */
    public void simulateIncomingRtpLoss(double share) {
        this.simulatedIncomingLoss = share;
    }

    /** Sends a datagram (already protected) to a peer. */
    public void send(InetSocketAddress to, byte[] datagram) {
        send(to, datagram, datagram.length);
    }

    /** Sends {@code datagram[0, length)} (already protected) to a peer; the array is the caller's again when it returns. */
    public void send(InetSocketAddress to, byte[] datagram, int length) {
        if (simulatedLoss > 0 && PacketKind.of(datagram, length) == PacketKind.RTP
                && ThreadLocalRandom.current().nextDouble() < simulatedLoss) {
            countDropped("simulated loss");
            return;
        }
        transmit(datagram, length, to);
    }

    /** Every datagram the port sends (STUN, DTLS, SRTP, SRTCP) goes out here, and is counted: on TCP to a TCP peer. */
    private void transmit(byte[] datagram, int length, InetSocketAddress to) {
        sentBytes.add(length);
        if ((tcp == null || !tcp.send(datagram, length, to)) && !socket.send(datagram, length, to)) {
            countDropped(SEND_REFUSED);
        }
    }

    private static final String RECEIVED_STALE = "receive: waited over " + UdpChannel.MAX_WAIT_NANOS / 1_000_000
            + " ms for the media thread (the edge is overloaded)";

    private static final String SEND_REFUSED = "send: refused by the socket (its buffer full: the edge sends more than its link takes)";

    /**
     * Runs a fan-out (and returns what it returns) with the UDP datagrams this thread sends handed to the kernel
     * together (sendmmsg where the system has it, see {@link UdpChannel#batched}), all gone when it returns.
     */
    public <T> T batched(Supplier<T> fanout) {
        UdpChannel udp = socket;
        return udp == null ? fanout.get() : udp.batched(fanout, countRefused);
    }

    /** As {@link #batched(Supplier)}, for a fan-out that returns nothing. */
    public void batched(Runnable fanout) {
        batched(() -> {
            fanout.run();
            return null;
        });
    }

    /** One instance for every fan-out (a lambda that captured this would be allocated per call). */
    private final IntConsumer countRefused = refused -> countDropped(SEND_REFUSED, refused);

    /** Bytes handed to the socket since it opened (the media plane's egress, UDP payloads). */
    public long sentBytes() {
        return sentBytes.sum();
    }

    public long handshakesDone() {
        return handshakesDone.sum();
    }

    /** Sessions whose media followed their peer to a new, verified address after the handshake. */
    public long routesMoved() {
        return routesMoved.sum();
    }

    /** Counts a dropped datagram by reason: the port's own, and those a session refused after the port let them through. */
    public void countDropped(String reason) {
        countDropped(reason, 1);
    }

    private void countDropped(String reason, long count) {
        dropped.computeIfAbsent(reason, r -> new LongAdder()).add(count);
    }
}
