package p2pedge.media.rtc;

import java.net.InetSocketAddress;

/**
 * Where the forwarder's protected datagrams go (the shared port): {@code datagram[0, length)} to {@code to}, copied or
 * sent before {@code send} returns, so that the forwarder may write its next datagram into the same array (one array
 * per forwarding thread rather than one per viewer packet).
 */
@FunctionalInterface
public interface DatagramSink {

    void send(InetSocketAddress to, byte[] datagram, int length);

    /** A whole array (a datagram made for one send). */
    default void send(InetSocketAddress to, byte[] datagram) {
        send(to, datagram, datagram.length);
    }
}
