package p2pedge.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.SerializerConfig;
import com.hazelcast.config.XmlConfigBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import p2pedge.bus.InProcess;
import p2pedge.cluster.events.ClusterEvents;
import p2pedge.config.EdgeConfig;
import p2pedge.media.LocalStreamDirectory;
import p2pedge.media.StreamDirectory;
import p2pedge.p2p.HostEntry;
import p2pedge.p2p.HostRegistry;
import p2pedge.p2p.LocalHostRegistry;
import p2pedge.signalling.LocalSessionIds;
import p2pedge.signalling.SessionIds;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * Whether and how this edge is part of a cluster: its id, the host registry it uses (shared in Hazelcast, or
 * its own), and the news that another edge is gone. Standalone and clustered edges run the same code paths.
 */
public final class EdgeCluster {

    private static final Logger LOG = Logger.getLogger(EdgeCluster.class.getName());
    /** Where vertx-hazelcast keeps a member's Vert.x node id (not the Hazelcast member UUID). */
    static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";

    private final String edgeId;
    private final HazelcastClusterManager manager;
    private UUID listener;

    private EdgeCluster(String edgeId, HazelcastClusterManager manager) {
        this.edgeId = edgeId;
        this.manager = manager;
    }

    public static EdgeCluster standalone() {
        return new EdgeCluster(UUID.randomUUID().toString(), null);
    }

    /** A member of the cluster that {@code manager} joined (its Vert.x instance is clustered with it). */
    public static EdgeCluster member(HazelcastClusterManager manager) {
        return new EdgeCluster(manager.getNodeId(), manager);
    }

    /**
     * Starts Vert.x, clustered when the configuration asks for it, with its metrics (HTTP, WebSocket, event bus,
     * pools, JVM) in {@code registry}.
     */
    public static Future<ClusteredVertx> startVertx(EdgeConfig config, MeterRegistry registry) {
        var options = new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
                .setEnabled(config.metrics().enabled()).setJvmMetricsEnabled(true))
                .setEventBusOptions(eventBusOptions(config.cluster().eventBusTls()));
        if (config.threads().eventLoops() > 0) {
            options.setEventLoopPoolSize(config.threads().eventLoops());
        }
        var builder = Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(registry));
        if (!config.cluster().enabled()) {
            return Future.succeededFuture(new ClusteredVertx(builder.build(), standalone()));
        }
        if (!HazelcastCallbacks.pooled()) {
            LOG.warning(() -> "ForkJoinPool's common pool has a single worker, so Hazelcast starts a thread for every callback;"
                    + " start the JVM with -D" + HazelcastCallbacks.PARALLELISM + "=2");
        }
        HazelcastClusterManager manager;
        try {
            manager = clusterManager(config.cluster());
        } catch (IOException | RuntimeException e) {
            return Future.failedFuture(new IllegalArgumentException("cannot read " + config.cluster().configFile() + ": " + e.getMessage(), e));
        }
        return builder.withClusterManager(manager).buildClustered()
                .map(vertx -> new ClusteredVertx(vertx, member(manager)));
    }

    /** The clustered event bus, with mutual TLS when {@code cluster.eventBusTls} asks for it. */
    static EventBusOptions eventBusOptions(EdgeConfig.EventBusTls tls) {
        EventBusOptions options = new EventBusOptions();
        if (!tls.enabled()) {
            return options;
        }
        // Peers are other edges reached by address, not by a name on their certificate: the CA is what vouches.
        return options.setSsl(true).setClientAuth(ClientAuth.REQUIRED)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certFile()).setKeyPath(tls.keyFile()))
                .setTrustOptions(new PemTrustOptions().addCertPath(tls.caFile()));
    }

    /** A Vert.x instance and what it knows of its cluster. */
    public record ClusteredVertx(Vertx vertx, EdgeCluster cluster) {
    }

    /** The cluster manager an edge joins with: vertx-hazelcast's, ignoring Hazelcast members that are not edges. */
    public static HazelcastClusterManager clusterManager(EdgeConfig.Cluster cluster) throws IOException {
        return new EdgeClusterManager(hazelcastConfig(cluster));
    }

    /**
     * cluster.xml with its ${cluster.*} placeholders filled from the edge configuration, and with discovery
     * {@code kubernetes}, Hazelcast's Kubernetes join in place of the file's TCP-IP join.
     */
    public static Config hazelcastConfig(EdgeConfig.Cluster cluster) throws IOException {
        Properties properties = new Properties();
        properties.setProperty("cluster.name", cluster.name());
        properties.setProperty("cluster.host", cluster.host());
        properties.setProperty("cluster.port", Integer.toString(cluster.port()));
        properties.setProperty("cluster.members", cluster.members());
        Path file = Path.of(cluster.configFile());
        try (InputStream in = Files.exists(file) ? Files.newInputStream(file)
                : EdgeCluster.class.getClassLoader().getResourceAsStream("p2pedge/cluster/cluster.xml")) {
            if (in == null) {
                throw new IOException("no " + file + " and no built-in cluster.xml");
            }
            Config config = new XmlConfigBuilder(in).setProperties(properties).build();
            // Part of the edges' protocol, not a setting: an operator's own cluster.xml gets it too.
            config.getSerializationConfig().addSerializerConfig(new SerializerConfig().setTypeClass(HostEntry.class)
                    .setImplementation(new HostEntrySerializer()));
            if (cluster.discovery() == EdgeConfig.Discovery.KUBERNETES) {
                KubernetesJoin.apply(config, cluster);
            }
            return config;
        }
    }

    public String edgeId() {
        return edgeId;
    }

    public boolean clustered() {
        return manager != null;
    }

    /** The ids of every edge in the cluster (this one alone when standalone). */
    public List<String> edgeIds() {
        if (!clustered() || !manager.getHazelcastInstance().getLifecycleService().isRunning()) {
            return List.of(edgeId);
        }
        return manager.getHazelcastInstance().getCluster().getMembers().stream()
                .map(member -> member.<String>getAttribute(NODE_ID_ATTRIBUTE)).filter(Objects::nonNull).sorted().toList();
    }

    /** Edges in the cluster (1 when standalone); Hazelcast members that are not edges do not count. */
    public int members() {
        return edgeIds().size();
    }

    public HostRegistry registry(Vertx vertx) {
        return clustered() ? new HazelcastHostRegistry(vertx, manager.getHazelcastInstance(), edgeId) : new LocalHostRegistry();
    }

    public StreamDirectory streamDirectory(Vertx vertx) {
        return clustered() ? new HazelcastStreamDirectory(vertx, manager.getHazelcastInstance()) : new LocalStreamDirectory();
    }

    public SessionIds sessionIds(Vertx vertx) {
        return clustered() ? new ClusterSessionIds(vertx, manager.getHazelcastInstance(), edgeId) : new LocalSessionIds();
    }

    /** Publishes {@link ClusterEvents#EDGE_LEFT} and {@link ClusterEvents#EDGE_JOINED} on this edge's event bus as edges leave and join. */
    public void watchMembers(Vertx vertx) {
        if (!clustered()) {
            return;
        }
        listener = manager.getHazelcastInstance().getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                if (!EdgeClusterManager.isNode(event.getMember())) {
                    // It can read and write every shared map: only edges belong on the cluster's network.
                    LOG.warning(() -> "a Hazelcast member that is not an edge joined the cluster from " + event.getMember().getAddress()
                            + "; the edges ignore it (the cluster's network must be private to the edges)");
                    return;
                }
                LOG.info(() -> "edge joined: " + event.getMember().getAttribute(NODE_ID_ATTRIBUTE) + " at " + event.getMember().getAddress());
                vertx.eventBus().publish(ClusterEvents.EDGE_JOINED, event.getMember().<String>getAttribute(NODE_ID_ATTRIBUTE), InProcess.ONLY);
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                if (!EdgeClusterManager.isNode(event.getMember())) {
                    LOG.info(() -> "the Hazelcast member at " + event.getMember().getAddress() + " (not an edge) left the cluster");
                    return;
                }
                String gone = event.getMember().getAttribute(NODE_ID_ATTRIBUTE);
                LOG.info(() -> "edge left: " + gone + " at " + event.getMember().getAddress());
                vertx.eventBus().publish(ClusterEvents.EDGE_LEFT, gone, InProcess.ONLY);
            }
        });
    }

    public void stopWatching() {
        if (listener != null && manager.getHazelcastInstance().getLifecycleService().isRunning()) {
            manager.getHazelcastInstance().getCluster().removeMembershipListener(listener);
        }
        listener = null;
    }
}
