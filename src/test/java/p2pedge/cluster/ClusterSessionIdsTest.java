package p2pedge.cluster;

import com.hazelcast.map.IMap;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import p2pedge.testing.TestCluster;
import p2pedge.testing.Waits;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Session ids over two real Hazelcast members with clustered Vert.x: ids handed out at once from the pool of ids
 * claimed ahead, never the same on two edges, held in the cluster's map by the edge that claimed them (handed out or
 * pooled), and freed when that edge is purged.
 */
@Tag("cluster")
class ClusterSessionIdsTest {

    private record Edge(TestCluster.Node node, Context context, ClusterSessionIds ids) {

        <T> T call(Supplier<T> call) throws Exception {
            Promise<T> result = Promise.promise();
            context.runOnContext(v -> result.complete(call.get()));
            return result.future().await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void idsComeFromThePoolAtOnceAndAreUniqueAcrossEdges() throws Exception {
        TestCluster cluster = new TestCluster(new JsonObject());
        List<Edge> edges = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                TestCluster.Node node = cluster.startNode();
                edges.add(new Edge(node, node.vertx().getOrCreateContext(),
                        new ClusterSessionIds(node.vertx(), node.manager().getHazelcastInstance(), node.manager().getNodeId())));
            }
            Edge a = edges.get(0);
            Edge b = edges.get(1);
            // The first allocation waits for its own claim and starts filling the pool.
            a.call(a.ids()::allocate).await(10, TimeUnit.SECONDS);
            Waits.until(() -> a.call(a.ids()::pooled) == ClusterSessionIds.POOL, 10_000, "A's pool filled");
            Future<Long> atOnce = a.call(a.ids()::allocate);
            assertTrue(atOnce.isComplete(), "an id from the pool is handed out without waiting for the cluster");

            // 3,000 ids from each edge, interleaved: all different.
            Set<Long> seen = new HashSet<>();
            seen.add(atOnce.result());
            List<Future<Long>> all = new ArrayList<>();
            for (int i = 0; i < 3_000; i++) {
                all.add(a.call(a.ids()::allocate));
                all.add(b.call(b.ids()::allocate));
            }
            Future.all(all).await(30, TimeUnit.SECONDS);
            all.forEach(f -> seen.add(f.result()));
            assertEquals(6_001, seen.size(), "no id handed out twice");

            // Each id is held in the map by its edge: handed out or pooled.
            IMap<Long, String> map = b.node().manager().getHazelcastInstance().getMap(ClusterSessionIds.MAP);
            for (Future<Long> f : all) {
                assertTrue(map.containsKey(f.result()));
            }
            int pooledByA = a.call(a.ids()::pooled);
            long heldByA = map.values().stream().filter(a.node().manager().getNodeId()::equals).count();
            assertEquals(3_002 + pooledByA, heldByA, "A holds what it handed out and what it pooled, nothing more");

            // A is purged (it left the cluster): every id it held is free again.
            b.call(() -> {
                b.ids().purgeEdge(a.node().manager().getNodeId());
                return null;
            });
            Waits.until(() -> map.values().stream().noneMatch(a.node().manager().getNodeId()::equals), 10_000, "A's ids freed");
        } finally {
            for (Edge edge : edges) {
                edge.node().vertx().close().await(30, TimeUnit.SECONDS);
            }
        }
    }
}
