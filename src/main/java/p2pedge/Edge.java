package p2pedge;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import p2pedge.cluster.EdgeCluster;
import p2pedge.config.EdgeConfig;
import p2pedge.http.LocalCertificates;
import p2pedge.media.PerViewerMediaVerticle;
import p2pedge.media.forwarding.ForwardingMediaVerticle;
import p2pedge.metrics.EdgeMetrics;
import p2pedge.ops.AdminTokenFile;
import p2pedge.ops.MetricsVerticle;
import p2pedge.p2p.PeerClassificationVerticle;
import p2pedge.signalling.SignallingVerticle;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** One edge node: its verticles deployed on a Vert.x instance, started and stopped in dependency order. */
public final class Edge {

    private final Vertx vertx;
    private final SignallingVerticle signalling;
    /** Deployment ids, in deployment order. */
    private final List<String> deployments;

    private final EdgeCluster cluster;
    private final MetricsVerticle metrics;
    private final String adminToken;
    private final Path adminTokenFile;

    private Edge(Vertx vertx, SignallingVerticle signalling, MetricsVerticle metrics, String adminToken, Path adminTokenFile,
                 List<String> deployments, EdgeCluster cluster) {
        this.adminToken = adminToken;
        this.adminTokenFile = adminTokenFile;
        this.vertx = vertx;
        this.signalling = signalling;
        this.metrics = metrics;
        this.deployments = deployments;
        this.cluster = cluster;
    }

    /** A standalone edge. */
    public static Future<Edge> start(Vertx vertx, EdgeConfig config) {
        return start(vertx, config, EdgeCluster.standalone());
    }

    /** An edge that shares Host Peers with the other members of {@code cluster}; its own meters only. */
    public static Future<Edge> start(Vertx vertx, EdgeConfig config, EdgeCluster cluster) {
        return start(vertx, config, cluster, EdgeMetrics.newRegistry());
    }

    /**
     * An edge whose product meters go to {@code registry}, which also holds Vert.x's own when {@code vertx} was
     * built with it (see {@link EdgeCluster#startVertx}).
     */
    public static Future<Edge> start(Vertx vertx, EdgeConfig config, EdgeCluster cluster, PrometheusMeterRegistry registry) {
        return start(vertx, config, cluster, registry, Edge::configuredMediaPlane);
    }

    /** The media plane {@code media.plane} names: the forwarder (default) or the per-viewer webrtc-java plane. */
    public static VerticleBase configuredMediaPlane(EdgeConfig config, EdgeCluster cluster, Vertx vertx) {
        return switch (config.media().plane()) {
            case FORWARDER -> new ForwardingMediaVerticle(config, cluster.edgeId(), cluster.streamDirectory(vertx));
            case WEBRTC -> new PerViewerMediaVerticle(config);
        };
    }

    /** Makes the verticle that answers {@code MediaApi} on this edge. */
    @FunctionalInterface
    public interface MediaPlane {
        VerticleBase create(EdgeConfig config, EdgeCluster cluster, Vertx vertx);
    }

    /**
     * An edge whose media contract is answered by {@code mediaPlane}'s verticle: the configured plane in production,
     * a plane without libwebrtc in tests of signalling and P2P.
     */
    public static Future<Edge> start(Vertx vertx, EdgeConfig config, EdgeCluster cluster, PrometheusMeterRegistry registry,
                                     MediaPlane mediaPlane) {
        // Without a configured admin token the edge keeps its own in a private file (never in the log).
        Path tokenFile = config.metrics().enabled() && config.metrics().adminToken().isEmpty()
                ? Path.of(config.metrics().adminTokenFile()).toAbsolutePath() : null;
        Future<String> token = tokenFile == null ? Future.succeededFuture(config.metrics().adminToken())
                : AdminTokenFile.obtain(vertx, tokenFile).recover(t -> Future.failedFuture(new IllegalStateException(
                        "cannot keep the admin token in " + tokenFile + " (metrics.adminTokenFile; or set metrics.adminToken): "
                                + t.getMessage(), t)));
        return token.compose(adminToken -> LocalCertificates.prepare(vertx, config).compose(v -> start(vertx, config, cluster,
                registry, mediaPlane.create(config, cluster, vertx), adminToken, tokenFile)));
    }

    private static Future<Edge> start(Vertx vertx, EdgeConfig config, EdgeCluster cluster, PrometheusMeterRegistry registry,
                                      VerticleBase media, String adminToken, Path adminTokenFile) {
        EdgeMetrics meters = new EdgeMetrics(registry, cluster.edgeId(), cluster::members);
        SignallingVerticle signalling = new SignallingVerticle(config, cluster.edgeId(), cluster.sessionIds(vertx), meters);
        MetricsVerticle metrics = config.metrics().enabled()
                ? new MetricsVerticle(config.metrics(), config.http(), meters, cluster.edgeId(), adminToken, cluster::edgeIds) : null;
        List<String> deployed = new ArrayList<>();
        return vertx.deployVerticle(media, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
                .compose(id -> {
                    deployed.add(id);
                    return vertx.deployVerticle(new PeerClassificationVerticle(config.p2p(), cluster.edgeId(), cluster.registry(vertx)));
                })
                .compose(id -> {
                    deployed.add(id);
                    return vertx.deployVerticle(signalling);
                })
                .compose(id -> {
                    deployed.add(id);
                    return metrics == null ? Future.succeededFuture(null) : vertx.deployVerticle(metrics);
                })
                .map(id -> {
                    if (id != null) {
                        deployed.add(id);
                    }
                    cluster.watchMembers(vertx);
                    return new Edge(vertx, signalling, metrics, adminToken, adminTokenFile, List.copyOf(deployed), cluster);
                })
                .recover(t -> undeployInReverse(vertx, deployed).transform(v -> Future.failedFuture(t)));
    }

    public String edgeId() {
        return cluster.edgeId();
    }

    public int signallingPort() {
        return signalling.port();
    }

    /** The admin API's bearer token (configured, or the one in {@link #adminTokenFile()}). */
    public String adminToken() {
        return adminToken;
    }

    /** The file the admin token is kept in, when the edge made it (no metrics.adminToken configured). */
    public Optional<Path> adminTokenFile() {
        return Optional.ofNullable(adminTokenFile);
    }

    /** The metrics port, or -1 when metrics are off. */
    public int metricsPort() {
        return metrics == null ? -1 : metrics.port();
    }

    /** Closes players' sockets first, then classification, then the media plane with every native object it holds. */
    public Future<Void> stop() {
        cluster.stopWatching();
        return undeployInReverse(vertx, deployments);
    }

    private static Future<Void> undeployInReverse(Vertx vertx, List<String> deployments) {
        Future<Void> chain = Future.succeededFuture();
        for (int i = deployments.size() - 1; i >= 0; i--) {
            String id = deployments.get(i);
            chain = chain.eventually(() -> vertx.undeploy(id));
        }
        return chain;
    }
}
