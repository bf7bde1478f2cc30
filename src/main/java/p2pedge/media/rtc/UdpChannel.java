package p2pedge.media.rtc;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.InternetProtocolFamily;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;

import java.net.InetSocketAddress;
import java.util.logging.Logger;

/**
 * A UDP socket on a Vert.x context's event loop that sends to resolved addresses. Vert.x's {@code DatagramSocket}
 * resolves the destination host string of every datagram through its asynchronous DNS resolver, an IP literal too,
 * and those resolutions complete out of order now and then: on loopback, 6 to 19 datagrams in 16,000 to 30,000 sent
 * in short bursts overtook an earlier one, sent from the event loop as from other threads (UdpChannelTest); one such overtaken DTLS datagram hung a handshake (see
 * CipherChangeGate), and every reordered SRTP packet costs a viewer's jitter buffer. Here a datagram goes to the
 * Netty channel with its address as is: in the order it was sent from one thread, with no lookup per packet.
 * Received datagrams reach the receiver on the context, in arrival order. What is handed to it and not yet written is
 * bounded ({@link #BACKLOG_BYTES}): an edge sending more than its event loop writes sheds (and its owner counts) rather
 * than queueing without end, which grew its heap to a gigabyte and its viewers' delay to a second under overload.
 */
public final class UdpChannel {

    private static final Logger LOG = Logger.getLogger(UdpChannel.class.getName());

    /** Called on the channel's context for each datagram. */
    public interface Receiver {
        void onDatagram(byte[] data, InetSocketAddress from);
    }

    private record Received(byte[] data, InetSocketAddress from) {
    }

    /**
     * Bytes handed to the channel and not yet written beyond which a send is refused, until half of it is written:
     * 3,500 packets of 1,200 bytes, a keyframe fanned out to a hundred viewers at once several times over, and a
     * bound on the delay an overloaded loop adds (UdpChannelTest prints how long the loop takes to write half).
     */
    static final int BACKLOG_BYTES = 4 << 20;

    private final ContextInternal context;
    private final DatagramChannel channel;

    private UdpChannel(ContextInternal context, DatagramChannel channel) {
        this.context = context;
        this.channel = channel;
    }

    /**
     * Binds {@code host:port} (0: an ephemeral port) on {@code context}'s event loop.
     *
     * @param receiveBufferBytes the socket's receive buffer (SO_RCVBUF), or 0 for the system's default
     */
    public static Future<UdpChannel> bind(Context context, String host, int port, int receiveBufferBytes, Receiver receiver) {
        ContextInternal owner = (ContextInternal) context;
        VertxInternal vertx = owner.owner();
        DatagramChannel channel = vertx.transport().datagramChannel(host.indexOf(':') >= 0 ? InternetProtocolFamily.IPv6
                : InternetProtocolFamily.IPv4);
        if (receiveBufferBytes > 0) {
            channel.config().setReceiveBufferSize(receiveBufferBytes);
        }
        // Writes from other threads count here as they are queued (Netty estimates their size on submit).
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(BACKLOG_BYTES / 2, BACKLOG_BYTES));
        Handler<Received> deliver = r -> receiver.onDatagram(r.data(), r.from());
        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object message) {
                DatagramPacket packet = (DatagramPacket) message;
                try {
                    owner.emit(new Received(ByteBufUtil.getBytes(packet.content()), packet.sender()), deliver);
                } finally {
                    packet.release();
                }
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                // e.g. an ICMP unreachable surfacing on a send: the next datagram is unaffected
                LOG.fine(() -> "UDP channel " + channel.localAddress() + ": " + cause);
            }
        });
        Promise<UdpChannel> bound = owner.promise();
        owner.nettyEventLoop().register(channel).addListener(registered -> {
            if (!registered.isSuccess()) {
                bound.fail(registered.cause());
                return;
            }
            channel.bind(new InetSocketAddress(host, port)).addListener(done -> {
                if (done.isSuccess()) {
                    bound.complete(new UdpChannel(owner, channel));
                } else {
                    channel.close();
                    bound.fail(done.cause());
                }
            });
        });
        return bound.future();
    }

    /**
     * Sends one datagram, from any thread; false (nothing sent) when the address is not resolved, the channel closed, or
     * its backlog full ({@link #backlogged}).
     */
    public boolean send(byte[] datagram, InetSocketAddress to) {
        if (to.isUnresolved() || !channel.isOpen() || !channel.isWritable()) {
            return false;
        }
        channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(datagram), to), channel.voidPromise());
        return true;
    }

    /** Whether sends are refused now because more than {@link #BACKLOG_BYTES} wait to be written. */
    public boolean backlogged() {
        return channel.isOpen() && !channel.isWritable();
    }

    public int localPort() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Closes the socket; idempotent. */
    public Future<Void> close() {
        Promise<Void> closed = context.promise();
        channel.close().addListener(done -> closed.complete());
        return closed.future();
    }
}
