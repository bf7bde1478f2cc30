package p2pedge.media.rtc;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The forwarding media plane's one UDP port: ICE-lite checks are answered here, and every remote address
 * that passed a check is bound to the session (local ufrag) it authenticated for, so that later DTLS and
 * RTP/RTCP datagrams from it can be handed to that session. Everything else is dropped and counted by reason.
 */
public final class SharedUdpPort {

    private static final Logger LOG = Logger.getLogger(SharedUdpPort.class.getName());

    private final Vertx vertx;
    private final IceLiteResponder responder;
    private final Map<InetSocketAddress, String> ufragByRemote = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> dropped = new ConcurrentHashMap<>();
    private final LongAdder checksAnswered = new LongAdder();
    private DatagramSocket socket;

    public SharedUdpPort(Vertx vertx, Function<String, Optional<String>> passwordOfLocalUfrag) {
        this.vertx = vertx;
        this.responder = new IceLiteResponder(passwordOfLocalUfrag);
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

    /** Forgets every address of a session that ended. */
    public void forget(String localUfrag) {
        ufragByRemote.values().removeIf(localUfrag::equals);
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
        switch (PacketKind.of(data, data.length)) {
            case STUN -> onStun(data, from);
            case DTLS, RTP, RTCP -> {
                // Until DTLS-SRTP lands, authenticated media has nowhere to go; strangers' packets never do.
                drop(sessionOf(from).isPresent() ? "no media handler yet" : "unknown address");
            }
            default -> drop("not STUN, DTLS or RTP");
        }
    }

    private void onStun(byte[] data, InetSocketAddress from) {
        IceLiteResponder.Result result = responder.onDatagram(data, data.length, from);
        if (result.accepted()) {
            ufragByRemote.put(from, result.check().localUfrag());
            checksAnswered.increment();
            socket.send(Buffer.buffer(result.check().response()), from.getPort(), from.getHostString());
            return;
        }
        drop("stun: " + result.rejected().reason().name().toLowerCase(java.util.Locale.ROOT));
        byte[] error = result.rejected().errorResponse();
        if (error != null) {
            socket.send(Buffer.buffer(error), from.getPort(), from.getHostString());
        }
    }

    private void drop(String reason) {
        dropped.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }
}
