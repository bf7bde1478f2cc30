package p2pedge.ops;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.AdminClient;
import p2pedge.testing.AutoPlayer;
import p2pedge.testing.Scrape;
import p2pedge.testing.SignallingClient;
import p2pedge.testing.TestEdge;
import p2pedge.testing.Waits;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin API with synthetic players (real WebSockets, fake SDP) in P2P roles: the token is required; streams,
 * peers and hosts say who plays from whom; a drain moves the host's clients, refuses new players and turns
 * /health to 503.
 */
@ExtendWith(VertxExtension.class)
class AdminApiTest {

    private static final String TOKEN = "admin-secret";

    @Test
    void peersStreamsAndHostsNeedTheTokenAndADrainMovesClientsAndRefusesPlayers(Vertx vertx) throws Exception {
        List<AutoPlayer> players = new ArrayList<>();
        try (TestEdge edge = TestEdge.startWithFakeMedia(vertx, new JsonObject().put("p2p", new JsonObject().put("policy", "ome"))
                .put("metrics", new JsonObject().put("adminToken", TOKEN)))) {
            int port = edge.metricsPort();
            AutoPlayer host = AutoPlayer.hostWithClients(vertx, edge.port(), 2, players);

            assertEquals(401, AdminClient.call(port, "GET", "/admin/peers", null).statusCode(), "no token");
            assertEquals(401, AdminClient.call(port, "GET", "/admin/peers", "guess").statusCode(), "wrong token");
            assertEquals(401, AdminClient.call(port, "POST", "/admin/drain", null).statusCode(), "no token, no drain");

            JsonArray peers = new JsonArray(AdminClient.call(port, "GET", "/admin/peers", TOKEN).body());
            assertEquals(3, peers.size(), peers.encode());
            for (Object o : peers) {
                JsonObject peer = (JsonObject) o;
                assertEquals(edge.edgeId(), peer.getString("edge"));
                if (peer.getLong("id") == host.id()) {
                    assertEquals("host", peer.getString("role"));
                    assertEquals(2, peer.getJsonArray("clients").size(), peer.encode());
                } else {
                    assertEquals("client", peer.getString("role"));
                    assertEquals(host.id(), peer.getLong("host"), peer.encode());
                }
            }
            JsonObject stream = new JsonArray(AdminClient.call(port, "GET", "/admin/streams", TOKEN).body()).getJsonObject(0);
            assertEquals("app/stream", stream.getString("name"));
            assertEquals("demo", stream.getString("source"));
            assertEquals(3, stream.getInteger("players"));
            assertEquals(2, stream.getInteger("servedByPeers"));
            JsonArray hosts = new JsonArray(AdminClient.call(port, "GET", "/admin/hosts", TOKEN).body());
            assertEquals(1, hosts.size());
            assertTrue(hosts.getJsonObject(0).containsKey("relaysFailed"), "per-host health: " + hosts.encode());
            JsonObject overview = new JsonObject(AdminClient.call(port, "GET", "/admin/overview", TOKEN).body());
            assertEquals(3, overview.getJsonArray("peers").size());
            assertEquals(2L, overview.getJsonObject("counters").getJsonObject("placements").getLong("client"));

            HttpResponse<String> drained = AdminClient.call(port, "POST", "/admin/drain", TOKEN);
            assertEquals(200, drained.statusCode(), drained.body());
            JsonObject result = new JsonObject(drained.body());
            assertEquals(1, result.getInteger("hostsWithdrawn"));
            assertEquals(2, result.getInteger("clientsMoved"));
            for (AutoPlayer client : players.subList(1, 3)) {
                Waits.until(() -> client.host() == 0, 5_000, "a client of the withdrawn host is served by the edge");
            }
            Waits.until(() -> host.clients().isEmpty(), 5_000, "the host was told to stop relaying to both");
            assertTrue(edge.hosts().isEmpty(), "no Host Peer left on a draining edge: " + edge.hosts());
            try (SignallingClient late = SignallingClient.connect(vertx, edge.port(), "/app/stream")) {
                JsonObject refused = late.next();
                assertEquals(503, refused.getInteger("code"), refused.encode());
            }
            HttpResponse<String> health = AdminClient.call(port, "GET", "/health", null);
            assertEquals(503, health.statusCode());
            assertEquals("draining", new JsonObject(health.body()).getString("status"));
            Scrape scrape = Scrape.of(port);
            assertEquals(2, scrape.value("p2pedge_replacements_total", "cause=\"host_drained\""), scrape.text());
        } finally {
            players.forEach(AutoPlayer::close);
        }
    }
}
