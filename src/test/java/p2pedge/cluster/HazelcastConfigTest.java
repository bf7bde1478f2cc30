package p2pedge.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.KubernetesConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import p2pedge.config.EdgeConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Hazelcast configuration an edge joins with, built from cluster.xml and the {@code cluster} keys without starting
 * a member: TCP-IP as before by default; with discovery {@code kubernetes}, Hazelcast's Kubernetes join alone (by DNS,
 * or by the API when no DNS name is given), bound to the pod's address on exactly {@code cluster.port}.
 */
class HazelcastConfigTest {

    private static Config hazelcast(Consumer<JsonObject> cluster) throws Exception {
        JsonObject json = new JsonObject(Files.readString(Path.of("conf/edge.json")));
        cluster.accept(json.getJsonObject("cluster"));
        Config config = EdgeCluster.hazelcastConfig(EdgeConfig.from(json).cluster());
        // Hazelcast's own check at start: one join method at most.
        config.getNetworkConfig().getJoin().verify();
        return config;
    }

    @Test
    void tcpIpJoinIsUnchangedByDefault() throws Exception {
        Config config = hazelcast(cluster -> { });
        JoinConfig join = config.getNetworkConfig().getJoin();
        assertTrue(join.getTcpIpConfig().isEnabled());
        assertEquals(List.of("127.0.0.1"), join.getTcpIpConfig().getMembers());
        assertFalse(join.getKubernetesConfig().isEnabled());
        assertFalse(join.getMulticastConfig().isEnabled());
        assertEquals("p2p-edge", config.getClusterName());
        assertEquals(5701, config.getNetworkConfig().getPort());
        assertTrue(config.getNetworkConfig().isPortAutoIncrement(), "edges on one machine take the next ports");
        assertTrue(config.getNetworkConfig().getInterfaces().isEnabled());
        assertEquals(List.of("127.0.0.1"), List.copyOf(config.getNetworkConfig().getInterfaces().getInterfaces()));
    }

    @Test
    void kubernetesByDnsReplacesTcpIp() throws Exception {
        Config config = hazelcast(cluster -> {
            cluster.put("discovery", "kubernetes").put("host", "10.1.2.3").put("port", 5801);
            cluster.getJsonObject("kubernetes").put("serviceDns", "p2p-edge-hazelcast.edges.svc.cluster.local")
                    .put("serviceName", "ignored-when-dns-is-set").put("namespace", "edges");
        });
        JoinConfig join = config.getNetworkConfig().getJoin();
        assertFalse(join.getTcpIpConfig().isEnabled());
        KubernetesConfig kubernetes = join.getKubernetesConfig();
        assertTrue(kubernetes.isEnabled());
        assertEquals(Map.of("service-dns", "p2p-edge-hazelcast.edges.svc.cluster.local", "service-port", "5801"),
                kubernetes.getProperties(), "Hazelcast refuses DNS and API properties together");
        assertEquals(5801, config.getNetworkConfig().getPort());
        assertFalse(config.getNetworkConfig().isPortAutoIncrement(), "the others dial cluster.port and no other");
        assertEquals(List.of("10.1.2.3"), List.copyOf(config.getNetworkConfig().getInterfaces().getInterfaces()));
    }

    @Test
    void kubernetesByTheApiWhenNoDnsNameIsGiven() throws Exception {
        KubernetesConfig inNamespace = hazelcast(cluster -> {
            cluster.put("discovery", "kubernetes").put("host", "10.1.2.3");
            cluster.getJsonObject("kubernetes").put("serviceName", "p2p-edge-hazelcast").put("namespace", "edges");
        }).getNetworkConfig().getJoin().getKubernetesConfig();
        assertTrue(inNamespace.isEnabled());
        assertEquals(Map.of("service-name", "p2p-edge-hazelcast", "namespace", "edges", "service-port", "5701"),
                inNamespace.getProperties());

        Config ownNamespace = hazelcast(cluster -> {
            cluster.put("discovery", "kubernetes").put("host", "10.1.2.3");
            cluster.getJsonObject("kubernetes").put("serviceName", "p2p-edge-hazelcast");
        });
        assertFalse(ownNamespace.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled());
        KubernetesConfig kubernetes = ownNamespace.getNetworkConfig().getJoin().getKubernetesConfig();
        assertEquals("p2p-edge-hazelcast", kubernetes.getProperty("service-name"));
        assertNull(kubernetes.getProperty("namespace"), "empty: Hazelcast reads the pod's own namespace");
        assertNull(kubernetes.getProperty("service-dns"));
    }
}
