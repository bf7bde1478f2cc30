package p2pedge.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import p2pedge.testing.SignallingClient;

import static p2pedge.testing.P2pScript.*;
import p2pedge.testing.TestCluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three clustered edges (real Hazelcast members on loopback, one JVM) with synthetic players over real
 * WebSockets: a client on one edge is placed on a host of another, the relay crosses edges, and clients are
 * re-served when their host leaves or its whole edge dies.
 */
@Tag("cluster")
class ClusterTest {
    /** The bound the README states: every orphan of a killed edge is served again within it. */
    static final long EDGE_DEATH_BOUND_MS = 5_000;

    private static Vertx clientVertx;
    private TestCluster cluster;
    private final List<SignallingClient> players = new ArrayList<>();

    @BeforeAll
    static void startClients() {
        clientVertx = Vertx.vertx();
    }

    @AfterAll
    static void stopClients() throws Exception {
        clientVertx.close().await();
    }

    @AfterEach
    void stop() throws Exception {
        players.forEach(SignallingClient::close);
        if (cluster != null) {
            cluster.close();
        }
    }

    private List<TestCluster.Member> startCluster(int size) throws Exception {
        cluster = new TestCluster(new JsonObject().put("p2p", new JsonObject().put("policy", "ome")
                .put("hostOfferTimeoutMillis", 1000).put("relayConnectTimeoutMillis", 2000)));
        List<TestCluster.Member> members = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            members.add(cluster.start());
        }
        return members;
    }

    private SignallingClient player(TestCluster.Member edge) throws Exception {
        SignallingClient player = SignallingClient.connect(clientVertx, edge.port(), "/app/stream", CHROME_WINDOWS);
        players.add(player);
        return player;
    }

    @Test
    void aClientOnOneEdgePlaysFromAHostOnAnotherAndIsReservedWhenTheHostLeaves() throws Exception {
        List<TestCluster.Member> edges = startCluster(3);
        SignallingClient host = player(edges.get(0));
        long hostId = servedByEdge(host);
        SignallingClient client = player(edges.get(1));
        long clientId = placedOn(client, host, hostId);
        relay(host, hostId, client, clientId);
        // Candidates cross edges both ways, with their peer ids checked on each side.
        client.send(new JsonObject().put("command", "candidate").put("id", clientId).put("peer_id", hostId)
                .put("candidates", new JsonArray().add(CANDIDATE)));
        assertEquals(clientId, host.expect("candidate_p2p").getLong("peer_id"));
        host.send(new JsonObject().put("command", "candidate_p2p").put("id", hostId).put("peer_id", clientId)
                .put("candidates", new JsonArray().add(CANDIDATE)));
        assertEquals(hostId, client.expect("candidate").getLong("peer_id"));
        host.send(new JsonObject().put("command", "candidate_p2p").put("id", hostId).put("peer_id", clientId + 1)
                .put("candidates", new JsonArray().add(CANDIDATE)));
        assertEquals(400, host.next().getInteger("code"), "a host reaches only its own clients");
        assertEquals(1, edges.get(0).mediaConnections());
        assertEquals(0, edges.get(1).mediaConnections(), "the client's edge serves no media");
        JsonArray hosts = edges.get(2).hosts();
        assertEquals(1, hosts.size(), "every edge sees the shared registry: " + hosts);
        assertEquals(edges.get(0).id(), hosts.getJsonObject(0).getString("edge"));

        host.close();
        JsonObject stop = client.expect("stop");
        assertEquals(hostId, stop.getLong("peer_id"));
        servedByEdge(client);
    }

    @Test
    void whenAnEdgeDiesItsHostsClientsOnOtherEdgesAreServedAgainAndItsHostsForgotten() throws Exception {
        List<TestCluster.Member> edges = startCluster(3);
        SignallingClient host = player(edges.get(0));
        long hostId = servedByEdge(host);
        SignallingClient[] clients = {player(edges.get(1)), player(edges.get(2))};
        for (SignallingClient client : clients) {
            relay(host, hostId, client, placedOn(client, host, hostId));
        }
        SignallingClient pending = player(edges.get(1)); // the host is full: edge 1 serves it, it hosts too
        servedByEdge(pending);

        long killed = System.nanoTime();
        CompletableFuture<Void> dead = cluster.killAsync(edges.get(0));
        for (SignallingClient client : clients) {
            JsonObject stop = client.next(Duration.ofMillis(EDGE_DEATH_BOUND_MS));
            assertEquals("stop", stop.getString("command"), stop.encode());
            assertEquals(hostId, stop.getLong("peer_id"));
            client.send(new JsonObject().put("command", "request_offer"));
        }
        // Each orphan is served again: by its edge, or by the surviving host on edge 1.
        for (SignallingClient client : clients) {
            JsonObject next = client.next(Duration.ofMillis(EDGE_DEATH_BOUND_MS));
            assertTrue(next.getString("command").equals("offer") || next.getString("command").equals("request_offer_p2p"), next.encode());
        }
        long served = (System.nanoTime() - killed) / 1_000_000;
        System.out.printf("edge killed: both orphans asked again and were answered %d ms later%n", served);
        long deadline = System.currentTimeMillis() + EDGE_DEATH_BOUND_MS;
        while (System.currentTimeMillis() < deadline && edges.get(1).hosts().encode().contains(edges.get(0).id())) {
            Thread.sleep(50);
        }
        assertTrue(!edges.get(1).hosts().encode().contains(edges.get(0).id()), "the dead edge's hosts are gone: " + edges.get(1).hosts());
        assertTrue(served < EDGE_DEATH_BOUND_MS, "served within " + EDGE_DEATH_BOUND_MS + " ms: " + served);
        dead.get(60, TimeUnit.SECONDS);
    }

    /**
     * The host's edge dies mid-placement: its host was asked to offer (request_offer_p2p) and has not yet. The
     * client, which has no offer at all, must not wait for one: its own edge serves it (no "stop": it never
     * had a host's offer).
     */
    @Test
    void whenTheHostsEdgeDiesMidPlacementTheWaitingClientIsServedByItsEdge() throws Exception {
        List<TestCluster.Member> edges = startCluster(2);
        SignallingClient host = player(edges.get(0));
        long hostId = servedByEdge(host);
        SignallingClient client = player(edges.get(1));
        long clientId = placedOn(client, host, hostId); // the host now holds a request it will never answer

        long killed = System.nanoTime();
        CompletableFuture<Void> dead = cluster.killAsync(edges.get(0));
        JsonObject offer = client.next(Duration.ofMillis(EDGE_DEATH_BOUND_MS));
        assertEquals("offer", offer.getString("command"), offer.encode());
        assertEquals(0, offer.getLong("peer_id"), "served by its own edge: " + offer.encode());
        assertEquals(clientId, offer.getLong("id"));
        long served = (System.nanoTime() - killed) / 1_000_000;
        System.out.printf("host's edge killed mid-placement: the waiting client got its edge's offer %d ms later%n", served);
        assertTrue(served < EDGE_DEATH_BOUND_MS, "served within " + EDGE_DEATH_BOUND_MS + " ms: " + served);
        dead.get(60, TimeUnit.SECONDS);
    }
}
