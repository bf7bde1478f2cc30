package p2pedge.media.rtc;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import p2pedge.net.PerAddressCap;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * ICE-TCP, passive side (RFC 6544), for players whose network drops UDP: a TCP listener whose every connection
 * carries the shared port's packets (STUN, DTLS, SRTP) in RFC 4571 frames (a 2-byte length, then the packet). A
 * connection's remote address stands for it on the port, like a UDP peer's. Every port is public, so every
 * connection is bounded: in number (in all and per IP), in frame size, in what it may queue for sending (a player
 * that does not read loses packets, not the edge's memory), and in time: it must pass an authenticated ICE check
 * within {@code checkSeconds}, its first frame must be STUN, and it is closed when it falls silent (consent) or its
 * session ends. Runs on the shared port's context; {@link #send} may be called from any thread.
 */
public final class IceTcpListener {

    private static final Logger LOG = Logger.getLogger(IceTcpListener.class.getName());

    /** Browsers send packets of an MTU at most; a larger frame is not a player's. */
    static final int MAX_FRAME = 4096;
    /** What may wait in one connection's write queue before its packets are dropped (media is late by then). */
    private static final int WRITE_QUEUE_BYTES = 256 * 1024;

    /** The shared port's side: what it does with a frame, whether an address passed a check, what it counts. */
    public interface Port {
        void onPacket(byte[] packet, InetSocketAddress from);

        /** Whether {@code remote} passed an authenticated ICE check (and still belongs to a session). */
        boolean authenticated(InetSocketAddress remote);

        /** A connection closed: the address is the port's to forget. */
        void closed(InetSocketAddress remote);

        void countDropped(String reason);
    }

    /** @param readIdleSeconds a connection that sends nothing this long is closed (its consent lapsed) */
    public record Limits(int maxConnections, int connectionsPerAddress, int checkSeconds, int readIdleSeconds) {
    }

    private final Context context;
    private final Limits limits;
    private final Port port;
    private final Map<InetSocketAddress, NetSocket> connections = new ConcurrentHashMap<>();
    private final PerAddressCap perAddress;
    private NetServer server;

    public IceTcpListener(Context context, Limits limits, Port port) {
        this.context = context;
        this.limits = limits;
        this.port = port;
        this.perAddress = new PerAddressCap(limits.connectionsPerAddress());
    }

    /** Listens on {@code host:port} (TCP); the future gives the bound port. Call on the shared port's context. */
    public Future<Integer> listen(String host, int tcpPort) {
        server = context.owner().createNetServer(new NetServerOptions().setReadIdleTimeout(limits.readIdleSeconds())
                .setTcpNoDelay(true));
        server.connectHandler(this::accepted);
        Promise<Integer> bound = Promise.promise();
        server.listen(tcpPort, host).map(NetServer::actualPort)
                .onSuccess(p -> LOG.info(() -> "ICE-TCP (passive) listening on " + host + ":" + p))
                .onComplete(bound);
        return bound.future();
    }

    public int connectionCount() {
        return connections.size();
    }

    /** Sends one packet, framed, to the connection at {@code to}; false when there is none (the address is UDP). */
    public boolean send(byte[] packet, InetSocketAddress to) {
        return send(packet, packet.length, to);
    }

    /** As {@link #send(byte[], InetSocketAddress)}, {@code packet[0, length)}, copied before it returns. */
    public boolean send(byte[] packet, int length, InetSocketAddress to) {
        if (connections.isEmpty()) {
            return false; // the usual case, asked for every UDP datagram the port sends: no lookup
        }
        NetSocket socket = connections.get(to);
        if (socket == null) {
            return false;
        }
        if (socket.writeQueueFull()) {
            port.countDropped("tcp: player not reading (write queue full)");
            return true;
        }
        Buffer frame = Buffer.buffer(length + 2).appendUnsignedShort(length).appendBytes(packet, 0, length);
        socket.write(frame);
        return true;
    }

    /** Closes the connection at {@code remote}, if there is one (its session ended). */
    public void close(InetSocketAddress remote) {
        NetSocket socket = connections.get(remote);
        if (socket != null) {
            socket.close();
        }
    }

    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    private void accepted(NetSocket socket) {
        InetSocketAddress remote = new InetSocketAddress(socket.remoteAddress().hostAddress(), socket.remoteAddress().port());
        String ip = PerAddressCap.addressOf(socket.remoteAddress());
        if (connections.size() >= limits.maxConnections()) {
            port.countDropped("tcp: connection refused (edge at its TCP limit)");
            socket.close();
            return;
        }
        if (!perAddress.tryAcquire(ip)) {
            port.countDropped("tcp: connection refused (address at its TCP limit)");
            socket.close();
            return;
        }
        NetSocket displaced = connections.put(remote, socket);
        if (displaced != null) {
            displaced.close(); // the same remote port again: the old connection is dead
        }
        socket.setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
        long check = context.owner().setTimer(limits.checkSeconds() * 1000L, t -> {
            if (!port.authenticated(remote)) {
                port.countDropped("tcp: no ICE check passed in time");
                socket.close();
            }
        });
        socket.closeHandler(v -> {
            context.owner().cancelTimer(check);
            perAddress.release(ip);
            if (connections.remove(remote, socket)) {
                port.closed(remote);
            }
        });
        socket.exceptionHandler(e -> LOG.fine(() -> "ICE-TCP " + remote + ": " + e));
        socket.handler(new Frames(remote, socket));
    }

    /** RFC 4571 on one connection: a 2-byte length, then that many bytes; the first frame must be STUN. */
    private final class Frames implements Handler<Buffer> {
        private final InetSocketAddress remote;
        private final NetSocket socket;
        private final RecordParser parser = RecordParser.newFixed(2);
        private boolean header = true;
        private boolean first = true;

        Frames(InetSocketAddress remote, NetSocket socket) {
            this.remote = remote;
            this.socket = socket;
            parser.handler(this::onRecord);
        }

        @Override
        public void handle(Buffer bytes) {
            parser.handle(bytes);
        }

        private void onRecord(Buffer record) {
            if (header) {
                int length = record.getUnsignedShort(0);
                if (length == 0 || length > MAX_FRAME) {
                    refuse("frame of " + length + " bytes");
                    return;
                }
                header = false;
                parser.fixedSizeMode(length);
                return;
            }
            header = true;
            parser.fixedSizeMode(2);
            byte[] packet = record.getBytes();
            if (first && PacketKind.of(packet, packet.length) != PacketKind.STUN) {
                refuse("first frame not STUN");
                return;
            }
            first = false;
            port.onPacket(packet, remote);
        }

        private void refuse(String reason) {
            port.countDropped("tcp: " + reason);
            socket.close();
        }
    }
}
