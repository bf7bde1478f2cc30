package p2pedge;

import io.vertx.core.Vertx;
import p2pedge.admission.TokenMinter;
import p2pedge.cluster.EdgeCluster;
import p2pedge.cluster.HazelcastCallbacks;
import p2pedge.config.ConfigLoader;
import p2pedge.config.EdgeConfig;
import p2pedge.http.SelfSignedCertificate;
import p2pedge.media.rtc.DtlsCertificate;
import p2pedge.metrics.EdgeMetrics;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@code java -jar p2p-edge.jar}: loads the configuration and runs one edge until SIGTERM/SIGINT. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        HazelcastCallbacks.reserveWorkers(); // before anything touches ForkJoinPool
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", ShutdownLogManager.class.getName());
        }
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT.%1$tL %4$-7s [%3$s] %5$s%6$s%n");
        }
        Logger log = Logger.getLogger(Main.class.getName());
        quietLibraries();
        if (args.length > 0 && args[0].equals("token")) {
            System.exit(mintToken(java.util.Arrays.copyOfRange(args, 1, args.length)));
            return;
        }
        EdgeConfig config;
        // The configuration decides whether Vert.x is clustered, so it is read with a short-lived instance.
        Vertx bootstrap = Vertx.vertx();
        try {
            config = ConfigLoader.load(bootstrap).await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.log(Level.SEVERE, "bad configuration: " + e.getMessage());
            System.exit(2);
            return;
        } finally {
            bootstrap.close().await(10, TimeUnit.SECONDS);
        }
        Vertx vertx;
        Edge edge;
        EdgeCluster.ClusteredVertx started;
        try {
            var registry = EdgeMetrics.newRegistry();
            started = EdgeCluster.startVertx(config, registry).await(60, TimeUnit.SECONDS);
            vertx = started.vertx();
            edge = Edge.start(vertx, config, started.cluster(), registry).await(60, TimeUnit.SECONDS);
        } catch (UnsatisfiedLinkError e) {
            // Without this the JVM would stay up on Vert.x's threads, having printed a stack trace.
            log.severe("edge failed to start: libwebrtc (webrtc-java's native part) could not be loaded: " + e.getMessage()
                    + "; install the shared libraries it needs (bin/p2p-edge does when run as root; the packages are"
                    + " listed in bin/webrtc-libraries.sh)");
            System.exit(1);
            return;
        } catch (Exception | LinkageError e) {
            log.log(Level.SEVERE, "edge failed to start: " + e.getMessage(), e);
            System.exit(1);
            return;
        }
        log.info(StartupBlock.render(config, new StartupBlock.Facts(edge.edgeId(), edge.signallingPort(), edge.metricsPort(),
                edge.adminTokenFile(), started.cluster().members(), fingerprints(config))));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down");
            try {
                edge.stop().await(15, TimeUnit.SECONDS);
                // Awaited on its own: a future chained after close() would complete on a closed context.
                vertx.close().await(15, TimeUnit.SECONDS);
                log.info("stopped cleanly");
            } catch (Exception e) {
                log.log(Level.WARNING, "unclean shutdown: " + e.getMessage(), e);
            } finally {
                ShutdownLogManager.shutdownComplete();
            }
        }, "edge-shutdown"));
    }

    /** Kept: the logging framework holds loggers weakly, and a collected one forgets its level. */
    private static final List<Logger> QUIETED = new ArrayList<>();

    /**
     * Libraries' banners and start-up chatter at WARNING, so that the edge's own block is what a person reads; a
     * logging configuration of the operator's ({@code -Djava.util.logging.config.file}) decides instead.
     */
    private static void quietLibraries() {
        if (System.getProperty("java.util.logging.config.file") != null) {
            return;
        }
        for (String name : List.of("nl.basjes", "com.hazelcast", "io.micrometer.core.instrument.MeterRegistry")) {
            Logger logger = Logger.getLogger(name);
            // Micrometer's one warning is vertx-micrometer-metrics registering a gauge twice under Vert.x 5 (harmless).
            logger.setLevel(name.startsWith("io.micrometer") ? Level.SEVERE : Level.WARNING);
            QUIETED.add(logger);
        }
    }

    /**
     * SHA-256 of each certificate a TLS port serves, by its file (what a person compares with the browser's), in the
     * colon-separated form SDP's fingerprints use.
     */
    private static Map<String, String> fingerprints(EdgeConfig config) {
        Map<String, String> out = new HashMap<>();
        for (EdgeConfig.Tls tls : config.httpTls().values()) {
            if (tls.enabled()) {
                out.computeIfAbsent(tls.certPath(), file -> {
                    try {
                        return DtlsCertificate.fingerprintOf(SelfSignedCertificate.read(Path.of(file)).getEncoded());
                    } catch (java.io.IOException | java.security.cert.CertificateException e) {
                        return "unreadable: " + e.getMessage();
                    }
                });
            }
        }
        return out;
    }

    /**
     * {@code java -jar p2p-edge.jar token --stream app/stream [--ttl 3600] [--p2p host|client|none] [--addr IP]}: prints
     * a player token signed with the configuration's first HMAC key (the same configuration the edge reads, so the
     * environment's ADMISSION_JWTKEYS too). Returns the exit code.
     */
    private static int mintToken(String[] args) throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            TokenMinter.Claims claims = TokenMinter.parse(args);
            EdgeConfig config = ConfigLoader.load(vertx).await(30, TimeUnit.SECONDS);
            System.out.println(TokenMinter.mint(vertx, config.admission(), claims));
            if (!config.admission().enabled()) {
                System.err.println("note: admission.enabled is false in this configuration: the edge lets every player in");
            }
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("token: " + e.getMessage());
            System.err.println("usage: bin/token --stream app/stream [--ttl SECONDS] [--p2p host|client|none] [--addr IP]");
            return 2;
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }
}
