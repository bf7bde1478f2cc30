package p2pedge.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.AdminClient;
import p2pedge.testing.AutoPlayer;
import p2pedge.testing.TestCluster;
import p2pedge.testing.Waits;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin API across two clustered edges (real Hazelcast members): the cluster-wide overview from either edge
 * shows every player with its edge and host; draining the host's edge moves its clients on the other edge.
 */
@Tag("cluster")
@ExtendWith(VertxExtension.class)
class AdminClusterTest {

    @Test
    void theClusterOverviewShowsEveryEdgeAndADrainMovesClientsOnAnotherEdge(Vertx vertx) throws Exception {
        List<AutoPlayer> players = new ArrayList<>();
        try (TestCluster cluster = new TestCluster(new JsonObject().put("p2p", new JsonObject().put("policy", "ome")))) {
            TestCluster.Member a = cluster.start();
            TestCluster.Member b = cluster.start();
            AutoPlayer host = AutoPlayer.join(vertx, a.port(), AutoPlayer.CHROME_UA);
            players.add(host);
            Waits.until(() -> host.host() == 0, 5_000, "a host on edge A");
            // A client is placed once, when it asks: the host must be in the shared registry as edge B reads it first
            // (registered on its offer, written to Hazelcast after it; a client that asked earlier is served by edge B).
            Waits.until(() -> b.hosts().size() == 1, 5_000, "edge B sees the host on edge A");
            for (int i = 0; i < 2; i++) {
                AutoPlayer client = AutoPlayer.join(vertx, b.port(), AutoPlayer.CHROME_UA);
                players.add(client);
                Waits.until(() -> client.host() == host.id(), 5_000, "a client on edge B of the host on edge A");
            }

            JsonObject overview = get(b, "/admin/overview?scope=cluster");
            JsonArray edges = overview.getJsonArray("edges");
            assertEquals(2, edges.size(), overview.encode());
            assertTrue(overview.getJsonArray("unreachable").isEmpty());
            JsonArray peers = new JsonArray();
            edges.forEach(e -> ((JsonObject) e).getJsonArray("peers").forEach(peers::add));
            assertEquals(3, peers.size(), peers.encode());
            for (Object o : peers) {
                JsonObject peer = (JsonObject) o;
                if (peer.getLong("id") == host.id()) {
                    assertEquals(a.id(), peer.getString("edge"));
                    assertEquals(2, peer.getJsonArray("clients").size());
                } else {
                    assertEquals(b.id(), peer.getString("edge"));
                    assertEquals(host.id(), peer.getLong("host"));
                }
            }

            HttpResponse<String> drained = call(a, "POST", "/admin/drain");
            assertEquals(200, drained.statusCode(), drained.body());
            assertEquals(2, new JsonObject(drained.body()).getInteger("clientsMoved"));
            for (AutoPlayer client : players.subList(1, 3)) {
                Waits.until(() -> client.host() >= 0 && client.host() != host.id(), 5_000,
                        "the client on edge B is placed again, away from the drained edge's host");
            }
            Waits.until(() -> host.clients().isEmpty(), 5_000, "the host on the drained edge stops relaying");
            assertTrue(a.hosts().stream().noneMatch(h -> ((JsonObject) h).getString("edge").equals(a.id())),
                    "no Host Peer on the drained edge: " + a.hosts());
        } finally {
            players.forEach(AutoPlayer::close);
        }
    }

    private static JsonObject get(TestCluster.Member member, String path) throws Exception {
        HttpResponse<String> response = call(member, "GET", path);
        assertEquals(200, response.statusCode(), response.body());
        return new JsonObject(response.body());
    }

    private static HttpResponse<String> call(TestCluster.Member member, String method, String path) throws Exception {
        return AdminClient.call(member.edge.metricsPort(), method, path, member.edge.adminToken());
    }
}
