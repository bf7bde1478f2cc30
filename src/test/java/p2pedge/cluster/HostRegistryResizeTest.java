package p2pedge.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import p2pedge.p2p.HostEntry;
import p2pedge.p2p.HostHealth;
import p2pedge.p2p.HostRegistry;
import p2pedge.p2p.LocalHostRegistry;
import p2pedge.p2p.Reachability;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A host that loses slots gives up its newest clients, and only those, in both registries: one edge's and the
 * cluster's (its host published in a real Hazelcast member's map).
 */
class HostRegistryResizeTest {

    private static Vertx vertx;
    private static HazelcastInstance hazelcast;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        Config config = new Config().setClusterName("resize-test-" + System.nanoTime());
        config.getNetworkConfig().setPort(5990).setPortAutoIncrement(true);
        config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
        config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        hazelcast = Hazelcast.newHazelcastInstance(config);
    }

    @AfterAll
    static void stop() throws Exception {
        hazelcast.shutdown();
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void localRegistry() throws Exception {
        resizeKeepsTheOldestClients(new LocalHostRegistry());
    }

    @Test
    void clusterRegistry() throws Exception {
        resizeKeepsTheOldestClients(new HazelcastHostRegistry(vertx, hazelcast, "edge-a"));
    }

    private static void resizeKeepsTheOldestClients(HostRegistry registry) throws Exception {
        registry.register(new HostEntry(1, "edge-a", "app/stream", "Blink", 3, Map.of(), HostHealth.NEW,
                Reachability.unmeasured("192.0.2.1"), 0)).await(10, TimeUnit.SECONDS);
        for (long client : List.of(30L, 10L, 20L)) {
            registry.reserve("app/stream", "Blink", client, client == 10 ? "edge-b" : "edge-a", Set.of(), h -> true, h -> 0)
                    .await(10, TimeUnit.SECONDS).orElseThrow();
        }
        Map<Long, String> shed = registry.resize(1, 1).await(10, TimeUnit.SECONDS);
        assertEquals(List.of(10L, 20L), List.copyOf(shed.keySet()), "the two newest clients, newest last");
        assertEquals("edge-b", shed.get(10L), "with the edge each one's socket is on");
        HostEntry after = registry.snapshot().await(10, TimeUnit.SECONDS).iterator().next();
        assertEquals(1, after.capacity());
        assertEquals(Map.of(30L, "edge-a"), after.clients());
        assertEquals(Map.of(), registry.resize(1, 3).await(10, TimeUnit.SECONDS), "a raise sheds nobody");
        assertEquals(2, registry.snapshot().await(10, TimeUnit.SECONDS).iterator().next().freeSlots());
        assertEquals(Map.of(), registry.resize(99, 0).await(10, TimeUnit.SECONDS), "a host that is gone");
    }
}
