package p2pedge.cluster;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.LogCapture;
import p2pedge.testing.SignallingClient;
import p2pedge.testing.TestCluster;
import p2pedge.testing.Waits;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Hazelcast member that is not an edge (no Vert.x node id: a management tool, a stray process with the cluster's
 * configuration) joins and leaves: the edges log it as such, throw nothing, and go on serving and clustering.
 */
@Tag("cluster")
@ExtendWith(VertxExtension.class)
class ClusterOutsiderTest {

    @Test
    void aPlainHazelcastMemberJoiningAndLeavingBreaksNothing(Vertx vertx) throws Exception {
        try (TestCluster cluster = new TestCluster(new JsonObject());
             LogCapture logs = LogCapture.start()) {
            TestCluster.Member a = cluster.start();
            TestCluster.Member b = cluster.start();
            HazelcastInstance outsider = Hazelcast.newHazelcastInstance(cluster.hazelcastConfig());
            // What the outsider itself logs is not the edges' business (shut down mid-join, it logs SEVERE about itself).
            String outsiderPrefix = "[" + outsider.getCluster().getLocalMember().getAddress().getHost() + "]:"
                    + outsider.getCluster().getLocalMember().getAddress().getPort() + " ";
            try {
                Waits.until(() -> a.manager.getHazelcastInstance().getCluster().getMembers().size() == 3, 20_000,
                        "the plain member joined the edges' cluster");
                Waits.until(() -> outsider.getPartitionService().isClusterSafe() && names(outsider).containsAll(
                        names(a.manager.getHazelcastInstance())), 20_000, "the plain member finished joining");
                assertEquals(List.of(a.id(), b.id()).stream().sorted().toList(), EdgeCluster.member(a.manager).edgeIds(),
                        "it is not counted as an edge");
            } finally {
                outsider.shutdown();
            }
            Waits.until(() -> a.manager.getHazelcastInstance().getCluster().getMembers().size() == 2
                    && b.manager.getHazelcastInstance().getCluster().getMembers().size() == 2, 20_000, "the plain member left");

            for (TestCluster.Member edge : List.of(a, b)) {
                try (SignallingClient player = SignallingClient.connect(vertx, edge.port(), "/app/stream")) {
                    assertEquals("offer", player.requestOffer().getString("command"), "the edge still serves players");
                }
            }
            TestCluster.Member c = cluster.start();
            Waits.until(() -> EdgeCluster.member(a.manager).edgeIds().contains(c.id()), 20_000, "a new edge still joins");

            // Checked after the work above (the edges handle the leave on their event loops, which may lag on a
            // loaded machine) and before an edge is killed (whose own Vert.x then logs that Hazelcast is gone).
            List<String> problems = logs.records().stream()
                    .filter(r -> r.getMessage() == null || !r.getMessage().startsWith(outsiderPrefix))
                    .filter(ClusterOutsiderTest::problem)
                    .map(r -> r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage() + " " + r.getThrown()).toList();
            assertEquals(List.of(), problems, "nothing thrown when a member that is not an edge joins and leaves");
            assertTrue(logs.linesAtLeast(Level.INFO).stream().noneMatch(l -> l.contains("edge left: null") || l.contains("edge joined: null")),
                    "no edge called null: " + logs.linesAtLeast(Level.INFO));

            cluster.kill(c);
            Waits.until(() -> !EdgeCluster.member(a.manager).edgeIds().contains(c.id()), 20_000, "and an edge that dies is still noticed");
        }
    }

    private static List<String> names(HazelcastInstance hazelcast) {
        return hazelcast.getDistributedObjects().stream().map(o -> o.getServiceName() + "/" + o.getName()).toList();
    }

    private static boolean problem(LogRecord record) {
        return record.getThrown() != null && !(record.getLoggerName() != null && record.getLoggerName().startsWith("com.hazelcast"))
                || record.getLevel().intValue() >= Level.SEVERE.intValue();
    }
}
