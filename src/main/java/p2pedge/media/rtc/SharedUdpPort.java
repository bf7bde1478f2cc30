package p2pedge.media.rtc;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The forwarding media plane's one UDP port: ICE-lite checks are answered here, and every remote address
 * that passed a check is bound to the session (local ufrag) it authenticated for; DTLS from such an address
 * runs that session's DTLS-SRTP handshake, whose keys go to the session. Everything else is dropped and
 * counted by reason.
 */
public final class SharedUdpPort {

    private static final Logger LOG = Logger.getLogger(SharedUdpPort.class.getName());

    private final Vertx vertx;
    private final IceLiteResponder responder;
    private final Function<String, Optional<MediaSession>> sessions;
    private final DtlsCertificate identity;
    private final BcTlsCrypto crypto;
    private final Map<InetSocketAddress, String> ufragByRemote = new ConcurrentHashMap<>();
    private final Map<InetSocketAddress, DatagramQueue> handshakes = new ConcurrentHashMap<>();
    /** Completed associations: BC answers a peer's retransmitted final flight only when the transport is read. */
    private final Map<InetSocketAddress, DTLSTransport> established = new ConcurrentHashMap<>();
    private final Set<InetSocketAddress> draining = ConcurrentHashMap.newKeySet();
    private final Map<String, InetSocketAddress> lastAddressByUfrag = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> dropped = new ConcurrentHashMap<>();
    private final LongAdder checksAnswered = new LongAdder();
    private final LongAdder handshakesDone = new LongAdder();
    private final LongAdder recordsAfterHandshake = new LongAdder();
    private final LongAdder sentBytes = new LongAdder();
    private DatagramSocket socket;
    private volatile double simulatedLoss;

    public SharedUdpPort(Vertx vertx, BcTlsCrypto crypto, DtlsCertificate identity, Function<String, Optional<MediaSession>> sessions) {
        this.vertx = vertx;
        this.crypto = crypto;
        this.identity = identity;
        this.sessions = sessions;
        this.responder = new IceLiteResponder(ufrag -> sessions.apply(ufrag).map(MediaSession::password));
    }

    public Future<Integer> listen(String host, int port) {
        socket = vertx.createDatagramSocket(new DatagramSocketOptions().setReceiveBufferSize(4 << 20));
        socket.handler(this::onPacket);
        return socket.listen(port, host).map(s -> s.localAddress().port())
                .onSuccess(p -> LOG.info(() -> "media port listening on " + host + ":" + p));
    }

    public Future<Void> close() {
        return socket == null ? Future.succeededFuture() : socket.close();
    }

    /** The session (local ufrag) a remote address authenticated for, if it did. */
    public Optional<String> sessionOf(InetSocketAddress remote) {
        return Optional.ofNullable(ufragByRemote.get(remote));
    }

    /** The address a session's peer last authenticated from (where to send its media). */
    public Optional<InetSocketAddress> addressOf(String localUfrag) {
        return Optional.ofNullable(lastAddressByUfrag.get(localUfrag));
    }

    /** Forgets every address of a session that ended, and stops its handshake if one is running. */
    public void forget(String localUfrag) {
        lastAddressByUfrag.remove(localUfrag);
        ufragByRemote.entrySet().removeIf(e -> {
            if (e.getValue().equals(localUfrag)) {
                endAssociation(e.getKey());
                return true;
            }
            return false;
        });
    }

    private void endAssociation(InetSocketAddress remote) {
        DatagramQueue queue = handshakes.remove(remote);
        if (queue != null) {
            queue.close();
        }
        established.remove(remote);
    }

    /** DTLS datagrams after a completed handshake (peers retransmitting their final flight: ours is resent). */
    public long recordsAfterHandshake() {
        return recordsAfterHandshake.sum();
    }

    public long checksAnswered() {
        return checksAnswered.sum();
    }

    /** Dropped datagrams by reason (monitoring, and the fuzz tests' proof that nothing got through). */
    public Map<String, Long> dropped() {
        Map<String, Long> out = new java.util.TreeMap<>();
        dropped.forEach((reason, count) -> out.put(reason, count.sum()));
        return out;
    }

    private void onPacket(DatagramPacket packet) {
        byte[] data = packet.data().getBytes();
        InetSocketAddress from = new InetSocketAddress(packet.sender().host(), packet.sender().port());
        PacketKind kind = PacketKind.of(data, data.length);
        switch (kind) {
            case STUN -> onStun(data, from);
            case DTLS -> onDtls(data, from);
            case RTP, RTCP -> {
                // Only addresses that passed ICE reach a session; strangers' packets never do.
                Optional<MediaSession> session = sessionOf(from).flatMap(sessions);
                if (session.isPresent()) {
                    session.get().onMedia().accept(kind, data);
                } else {
                    countDropped("media: unknown address");
                }
            }
            default -> countDropped("not STUN, DTLS or RTP");
        }
    }

    /** DTLS from an address that passed ICE: feed its handshake, starting one on its first record. */
    private void onDtls(byte[] data, InetSocketAddress from) {
        Optional<MediaSession> session = sessionOf(from).flatMap(sessions);
        if (session.isEmpty()) {
            countDropped("dtls: unknown address");
            return;
        }
        DatagramQueue queue = handshakes.computeIfAbsent(from, address -> startHandshake(address, session.get()));
        if (!queue.offer(data)) {
            countDropped("dtls: queue full");
            return;
        }
        DTLSTransport transport = established.get(from);
        if (transport != null) {
            recordsAfterHandshake.increment();
        }
        if (transport != null && draining.add(from)) {
            // DTLS after the handshake: the peer lost our last flight and sends its own again. Reading the
            // transport lets Bouncy Castle resend ours (application data is not expected and is discarded).
            vertx.executeBlocking(() -> {
                byte[] buffer = new byte[transport.getReceiveLimit()];
                while (queue.pending() > 0 && transport.receive(buffer, 0, buffer.length, 10) >= 0) {
                    // application data: WebRTC data channels are not offered, nothing to deliver
                }
                return null;
            }, false).onComplete(ar -> draining.remove(from));
        }
    }

    private DatagramQueue startHandshake(InetSocketAddress from, MediaSession session) {
        DatagramQueue queue = new DatagramQueue(bytes -> transmit(bytes, from));
        DtlsSrtpServer server = new DtlsSrtpServer(crypto, identity, session.remoteFingerprint(), session.onSecured());
        // Bouncy Castle's DTLS engine blocks its thread for the handshake: run it on a worker, never the event loop.
        vertx.executeBlocking(() -> new DTLSServerProtocol().accept(server, queue), false)
                .onSuccess(transport -> {
                    handshakesDone.increment();
                    if (handshakes.get(from) == queue) {
                        established.put(from, transport);
                    }
                })
                .onFailure(t -> {
                    handshakes.remove(from, queue);
                    queue.close();
                    countDropped("dtls: handshake failed");
                    LOG.info(() -> "DTLS with " + from + " failed: " + t);
                });
        return queue;
    }

    /**
     * Drops this share of outgoing RTP on purpose (0 to 1): a diagnostic and test hook, to watch viewers
     * recover through NACK and PLI. Off by default.
     */
    public void simulateOutgoingRtpLoss(double share) {
        this.simulatedLoss = share;
    }

    /** Sends a datagram (already protected) to a peer. */
    public void send(InetSocketAddress to, byte[] datagram) {
        if (simulatedLoss > 0 && PacketKind.of(datagram, datagram.length) == PacketKind.RTP
                && java.util.concurrent.ThreadLocalRandom.current().nextDouble() < simulatedLoss) {
            countDropped("simulated loss");
            return;
        }
        transmit(datagram, to);
    }

    /** Every datagram the port sends (STUN, DTLS, SRTP, SRTCP) goes out here, and is counted. */
    private void transmit(byte[] datagram, InetSocketAddress to) {
        sentBytes.add(datagram.length);
        socket.send(Buffer.buffer(datagram), to.getPort(), to.getHostString());
    }

    /** Bytes handed to the socket since it opened (the media plane's egress, UDP payloads). */
    public long sentBytes() {
        return sentBytes.sum();
    }

    public long handshakesDone() {
        return handshakesDone.sum();
    }

    private void onStun(byte[] data, InetSocketAddress from) {
        IceLiteResponder.Result result = responder.onDatagram(data, data.length, from);
        if (result.accepted()) {
            String previous = ufragByRemote.put(from, result.check().localUfrag());
            if (previous != null && !previous.equals(result.check().localUfrag())) {
                // The address now belongs to another session (a port reused, a NAT binding recycled): the old
                // session's DTLS state must not swallow the new session's handshake.
                endAssociation(from);
            }
            lastAddressByUfrag.put(result.check().localUfrag(), from);
            checksAnswered.increment();
            transmit(result.check().response(), from);
            return;
        }
        countDropped("stun: " + result.rejected().reason().name().toLowerCase(java.util.Locale.ROOT));
        byte[] error = result.rejected().errorResponse();
        if (error != null) {
            transmit(error, from);
        }
    }

    /** Counts a dropped datagram by reason: the port's own, and those a session refused after the port let them through. */
    public void countDropped(String reason) {
        dropped.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }
}
