package p2pedge.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP forwarder on loopback whose connections reach the target from another source address (127.x.y.z), so one
 * test process can play players on several machines. Vert.x 5's WebSocket client does not bind the local address
 * it is given; plain sockets do. Two threads per connection: for a handful of test players only.
 */
public final class AddressForwarder implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private AddressForwarder(String sourceAddress, int targetPort) throws IOException {
        server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket in = server.accept();
                    Socket out = new Socket();
                    sockets.add(in);
                    sockets.add(out);
                    out.bind(new InetSocketAddress(sourceAddress, 0));
                    out.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
                    pump(in, out);
                    pump(out, in);
                } catch (IOException e) {
                    return; // closed
                }
            }
        }, "forwarder-" + sourceAddress);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Forwards to {@code 127.0.0.1:targetPort} from {@code sourceAddress} (any 127.0.0.0/8 address). */
    public static AddressForwarder start(String sourceAddress, int targetPort) throws IOException {
        return new AddressForwarder(sourceAddress, targetPort);
    }

    public int port() {
        return server.getLocalPort();
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // either side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "forwarder-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        sockets.forEach(AddressForwarder::closeQuietly);
    }
}
