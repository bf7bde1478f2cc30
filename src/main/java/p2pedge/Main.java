package p2pedge;

import io.vertx.core.Vertx;
import p2pedge.config.ConfigLoader;

import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@code java -jar p2p-edge.jar}: loads the configuration and runs one edge until SIGTERM/SIGINT. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", ShutdownLogManager.class.getName());
        }
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT.%1$tL %4$-7s [%3$s] %5$s%6$s%n");
        }
        Logger log = Logger.getLogger(Main.class.getName());
        Vertx vertx = Vertx.vertx();
        Edge edge;
        try {
            edge = ConfigLoader.load(vertx)
                    .compose(config -> Edge.start(vertx, config).onSuccess(e -> {
                        String host = config.signalling().host();
                        String shown = host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host;
                        String stream = config.streams().isEmpty() ? "app/stream" : config.streams().get(0).name();
                        log.info("edge ready: player page http://" + shown + ":" + e.signallingPort() + "/?stream=" + stream
                                + "  (signalling ws://" + shown + ":" + e.signallingPort() + "/" + stream + ")");
                    }))
                    .await(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.log(Level.SEVERE, "edge failed to start: " + e.getMessage(), e);
            vertx.close().await(10, TimeUnit.SECONDS);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down");
            try {
                edge.stop().await(15, TimeUnit.SECONDS);
                // Awaited on its own: a future chained after close() would complete on a closed context.
                vertx.close().await(10, TimeUnit.SECONDS);
                log.info("stopped cleanly");
            } catch (Exception e) {
                log.log(Level.WARNING, "unclean shutdown: " + e.getMessage(), e);
            } finally {
                ShutdownLogManager.shutdownComplete();
            }
        }, "edge-shutdown"));
    }
}
