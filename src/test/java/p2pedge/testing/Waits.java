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

    public static int freePort() throws IOException {
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
