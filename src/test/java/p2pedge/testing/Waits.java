package p2pedge.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;

/** Bounded waiting for tests and benches: conditions, ports. */
public final class Waits {

    private Waits() {
    }

    public interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls {@code condition} until it holds, or fails naming {@code what} after the timeout. */
    public static void until(Condition condition, long timeoutMillis, String what) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!condition.holds()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out after " + timeoutMillis + " ms waiting for: " + what);
            }
            Thread.sleep(2);
        }
    }

    /**
     * A port free for TCP and UDP now, for a process started next to bind: below Linux's ephemeral range (32768 and up),
     * which a port the system hands out (bind to 0) comes from, and so does every outgoing connection's local port: one
     * of those took such a port between this call and a child edge's bind ("Address already in use", once in CI).
     */
    public static int freePort() throws IOException {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = random.nextInt(20_000, 32_000);
            try (ServerSocket tcp = new ServerSocket(port); java.net.DatagramSocket udp = new java.net.DatagramSocket(port)) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Waits until something accepts TCP connections on 127.0.0.1:{@code port}. */
    public static void untilListening(int port, long timeoutMillis) throws Exception {
        until(() -> {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                Thread.sleep(100);
                return false;
            }
        }, timeoutMillis, "a server on port " + port);
    }
}
