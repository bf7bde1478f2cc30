package p2pedge.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import p2pedge.config.EdgeConfig;
import p2pedge.metrics.EdgeMetrics;
import p2pedge.net.PerAddressCap;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Keeps one HTTP server of the edge from being held by connections that make no requests: Vert.x's idle timeout,
 * a deadline for the first complete request head or WebSocket upgrade (Vert.x has no header timeout: a timer per
 * connection, which only a request cancels, so trickling bytes does not extend it), and a cap on the connections
 * one remote address holds (a WebSocket keeps its connection's place until it closes). After the first request
 * the idle timeout takes over; WebSockets stay busy with the signalling pings, which is why the idle timeout must
 * exceed their interval (checked by {@link EdgeConfig}).
 * Confined to the context of the verticle that owns the server.
 */
public final class ConnectionGuard {

    private final Vertx vertx;
    private final EdgeConfig.Http config;
    private final String port;
    private final EdgeMetrics metrics;
    private final PerAddressCap connections;
    /** Open connections by remote address and port: the address they count against, the timer of their deadline. */
    private final Map<String, Open> open = new HashMap<>();

    private static final class Open {
        final String address;
        long headerTimer;

        Open(String address) {
            this.address = address;
        }
    }

    /** @param port the server's name in metrics: signalling or metrics */
    public ConnectionGuard(Vertx vertx, EdgeConfig.Http config, String port, EdgeMetrics metrics) {
        this.vertx = vertx;
        this.config = config;
        this.port = port;
        this.metrics = metrics;
        this.connections = new PerAddressCap(config.maxConnectionsPerAddress());
    }

    /** The idle timeout; no HTTP/2 over cleartext, whose protocol sniffing would run before the guard sees the connection. */
    public HttpServerOptions configure(HttpServerOptions options, EdgeConfig.Tls tls) {
        options.setIdleTimeout(config.idleTimeoutSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setHttp2ClearTextEnabled(false);
        // The header deadline starts once a TLS handshake is done: the handshake gets the same bound.
        return ServerTls.apply(options, tls, config.headerTimeoutSeconds());
    }

    /**
     * Guards {@code server}'s connections; its request handler must be wrapped with {@link #requests}, and its
     * WebSocket handler must call {@link #upgraded} and, when the socket closes, {@link #closed}.
     */
    public HttpServer install(HttpServer server) {
        return server.connectionHandler(this::connected);
    }

    /** Wraps a request handler: each request (its head complete) lifts the header deadline of its connection. */
    public Handler<HttpServerRequest> requests(Handler<HttpServerRequest> next) {
        return request -> {
            requestArrived(request.remoteAddress());
            next.handle(request);
        };
    }

    /**
     * The connection from {@code remote} became a WebSocket: no deadline any more, and its own close handler will
     * not be called (Vert.x hands the channel to the WebSocket), so the socket's close must call {@link #closed}.
     */
    public void upgraded(SocketAddress remote) {
        requestArrived(remote);
    }

    /** The connection from {@code remote} is gone: it no longer counts against its address. Idempotent. */
    public void closed(SocketAddress remote) {
        Open connection = remote == null ? null : open.remove(key(remote));
        if (connection != null) {
            vertx.cancelTimer(connection.headerTimer);
            connections.release(connection.address);
        }
    }

    private void requestArrived(SocketAddress remote) {
        Open connection = remote == null ? null : open.get(key(remote));
        if (connection != null) {
            vertx.cancelTimer(connection.headerTimer);
            connection.headerTimer = -1;
        }
    }

    private void connected(HttpConnection connection) {
        SocketAddress remote = connection.remoteAddress();
        if (remote == null) {
            return; // not over IP (a domain socket): nothing to key a cap on
        }
        String address = PerAddressCap.addressOf(remote);
        if (!connections.tryAcquire(address)) {
            metrics.refused(port, "connections_per_address");
            connection.close();
            return;
        }
        Open entry = new Open(address);
        open.put(key(remote), entry);
        entry.headerTimer = vertx.setTimer(config.headerTimeoutSeconds() * 1000L, t -> {
            if (open.get(key(remote)) == entry && entry.headerTimer == t) {
                metrics.refused(port, "header_timeout");
                connection.close();
            }
        });
        connection.closeHandler(v -> closed(remote));
    }

    private static String key(SocketAddress remote) {
        return PerAddressCap.addressOf(remote) + " " + remote.port();
    }
}
