package p2pedge.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import p2pedge.testing.AutoPlayer;
import p2pedge.testing.TestCluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Players join and leave three clustered edges in random order while edges are stopped, killed and started
 * again; at the end the shared registry must say exactly what the live sockets say: the same hosts, each
 * with exactly the clients that play from it.
 */
@Tag("cluster")
class ClusterChurnTest {

    private static final String UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/120.0.0.0 Safari/537.36";
    private static final int STEPS = 120;

    @Test
    void registryMatchesLiveSocketsAfterRandomChurnAndRestarts() throws Exception {
        Random random = new Random(7);
        Vertx players = Vertx.vertx();
        Map<AutoPlayer, TestCluster.Member> live = new HashMap<>();
        // These players never answer the edge's own offer: the connect timeout (which closes such a player) is set
        // beyond the test, so that every player the test keeps stays connected through the wait below.
        try (TestCluster cluster = new TestCluster(new JsonObject().put("p2p", new JsonObject().put("policy", "ome")
                .put("maxClientPeersPerHostPeer", 2).put("hostOfferTimeoutMillis", 2000).put("relayConnectTimeoutMillis", 3000))
                .put("media", new JsonObject().put("connectTimeoutSeconds", 300)))) {
            for (int i = 0; i < 3; i++) {
                cluster.start();
            }
            int restarts = 0;
            for (int step = 0; step < STEPS; step++) {
                List<TestCluster.Member> edges = cluster.members();
                int action = random.nextInt(100);
                if (action < 55 || live.isEmpty()) {
                    TestCluster.Member edge = edges.get(random.nextInt(edges.size()));
                    live.put(AutoPlayer.join(players, edge.port(), UA), edge);
                } else if (action < 95) {
                    AutoPlayer leaving = new ArrayList<>(live.keySet()).get(random.nextInt(live.size()));
                    leaving.close();
                    live.remove(leaving);
                } else if (restarts < 3) {
                    restarts++;
                    TestCluster.Member victim = edges.get(random.nextInt(edges.size()));
                    if (restarts % 2 == 0) {
                        cluster.kill(victim);
                    } else {
                        cluster.stop(victim);
                    }
                    live.values().removeIf(edge -> edge == victim);
                    cluster.start();
                }
                Thread.sleep(random.nextInt(30));
            }
            live.keySet().removeIf(AutoPlayer::closed);
            TestCluster.Member observer = cluster.members().get(0);
            // Placement settles in milliseconds. An entry the map lost or got back when a member died in the middle of a
            // partition migration is repaired by its edge's resync, and the observer sees the repair at once or at its
            // own next resync: up to two resync periods (seen once in a full test run, with a stop and a kill 1.6 s apart).
            String mismatch = null;
            long deadline = System.currentTimeMillis() + 2 * HazelcastHostRegistry.RESYNC_MILLIS + 5_000;
            while (System.currentTimeMillis() < deadline) {
                mismatch = compare(observer.hosts(), live.keySet());
                if (mismatch == null) {
                    break;
                }
                Thread.sleep(200);
            }
            assertEquals(null, mismatch);
            System.out.printf("churn: %d live players, %d hosts, %d clients after %d steps and %d edge restarts%n",
                    live.size(), observer.hosts().size(), live.keySet().stream().filter(p -> p.host() > 0).count(), STEPS, restarts);
        } finally {
            live.keySet().forEach(AutoPlayer::close);
            players.close().await();
        }
    }

    /** Null when the registry and the players agree exactly, else what differs. */
    private static String compare(JsonArray hosts, Set<AutoPlayer> players) {
        Map<Long, Set<Long>> registry = new TreeMap<>();
        for (int i = 0; i < hosts.size(); i++) {
            JsonObject host = hosts.getJsonObject(i);
            Set<Long> clients = new HashSet<>();
            host.getJsonArray("clients").forEach(c -> clients.add(((Number) c).longValue()));
            registry.put(host.getLong("host"), clients);
        }
        Map<Long, Set<Long>> sockets = new TreeMap<>();
        Map<Long, Set<Long>> hostsOwnView = new TreeMap<>();
        for (AutoPlayer player : players) {
            if (player.closed()) {
                return "player " + player.id() + " was closed by its edge";
            }
            if (player.host() == 0) {
                sockets.computeIfAbsent(player.id(), k -> new HashSet<>());
                hostsOwnView.put(player.id(), player.clients());
            }
        }
        for (AutoPlayer player : players) {
            if (player.host() > 0) {
                sockets.computeIfAbsent(player.host(), k -> new HashSet<>()).add(player.id());
            } else if (player.host() < 0) {
                return "player " + player.id() + " is still waiting for a source";
            }
        }
        if (!registry.equals(sockets)) {
            return "registry " + registry + " but sockets say " + sockets;
        }
        if (!hostsOwnView.equals(sockets)) {
            return "hosts believe " + hostsOwnView + " but clients say " + sockets;
        }
        return null;
    }
}
