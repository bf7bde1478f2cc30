package p2pedge.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.spi.impl.SerializationServiceSupport;
import com.hazelcast.map.IMap;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import p2pedge.config.EdgeConfig;
import p2pedge.p2p.HostEntry;
import p2pedge.p2p.HostHealth;
import p2pedge.p2p.NatMapping;
import p2pedge.p2p.Reachability;
import p2pedge.testing.Waits;

import javax.management.BadAttributeValueExpException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster network's deserialization filter (cluster.xml): a member reads back what edges exchange, and refuses to
 * instantiate a class outside the list, such as the entry point of the classic Java deserialization chains. The host
 * map's values, the bulk of what edges exchange, do not go through Java serialization at all ({@link HostEntrySerializer}).
 */
@Tag("cluster")
class ClusterDeserializationFilterTest {

    @Test
    void onlyTheClassesEdgesExchangeAreDeserialized() throws Exception {
        int port = Waits.freePort();
        JsonObject json = new JsonObject(Files.readString(Path.of("conf/edge.json")));
        json.getJsonObject("cluster").put("name", "filter-" + UUID.randomUUID()).put("port", port)
                .put("members", "127.0.0.1:" + port);
        Config config = EdgeCluster.hazelcastConfig(EdgeConfig.from(json).cluster());
        HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
        try {
            IMap<String, Object> map = member.getMap("filter-test");
            // Values are kept serialized and read back through the filter, as another member's would be.
            Reachability reachability = new Reachability("192.0.2.1", NatMapping.ENDPOINT_INDEPENDENT);
            map.put("ours", List.of(reachability, HostHealth.NEW));
            assertEquals(List.of(reachability, HostHealth.NEW), map.get("ours"), "the edges' own records pass");
            HostEntry host = HostEntrySerializerTest.fullEntry();
            map.put("host", host);
            assertEquals(host, map.get("host"), "a host entry comes back");
            assertEquals(HostEntrySerializer.TYPE_ID, ((SerializationServiceSupport) member).getSerializationService()
                    .toData(host).getType(), "in its own format, not Java serialization");

            map.put("gadget", new BadAttributeValueExpException("x"));
            Exception refused = assertThrows(Exception.class, () -> map.get("gadget"));
            String chain = causes(refused);
            System.out.println("refused: " + chain);
            assertTrue(chain.contains("javax.management.BadAttributeValueExpException"), "refused by class name: " + chain);
        } finally {
            member.shutdown();
        }
    }

    private static String causes(Throwable t) {
        StringBuilder out = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            out.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(" / ");
        }
        return out.toString();
    }
}
