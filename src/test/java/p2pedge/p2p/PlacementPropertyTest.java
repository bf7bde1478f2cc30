package p2pedge.p2p;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.config.EdgeConfig;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many simulated peers join, fail and leave in random order against the real classification verticle and
 * registry: slot counts stay within [0, N], clients sit on hosts of their stream and family that the
 * registry knows, every request gets a placement, and nothing is left behind when everybody is gone.
 */
@ExtendWith(VertxExtension.class)
class PlacementPropertyTest {

    /** Every player here comes from one public address: any pair can relay. */
    private static final Reachability ONE_NETWORK = Reachability.unmeasured("192.0.2.1");

    private static final String[] UAS = {ClassificationPolicyTest.CHROME_WIN, ClassificationPolicyTest.SAFARI_MAC,
            ClassificationPolicyTest.IPHONE, ClassificationPolicyTest.CHROME_WIN};
    private static final String[] STREAMS = {"app/a", "app/b"};

    @Test
    void randomChurnKeepsTheRegistryConsistent(Vertx vertx) throws Exception {
        for (long seed = 1; seed <= 5; seed++) {
            run(vertx, seed, 3);
        }
        run(vertx, 42, 1);
    }

    private static void run(Vertx vertx, long seed, int capacity) throws Exception {
        EdgeConfig.P2p config = new EdgeConfig.P2p(true, capacity, EdgeConfig.Policy.OME, true, 3000, 5000, 2, 2, true, 30_000, 2, 600, true,
                EdgeConfig.Pairing.REACHABLE, 2500, new EdgeConfig.PairLearning(10, 4, 50, 600), 60,
                new EdgeConfig.Regroup(false, 2000, 3, 60), new EdgeConfig.Capacity(2, 120, 10, 6, 120));
        String deployment = vertx.deployVerticle(new PeerClassificationVerticle(config, "edge-1", new LocalHostRegistry()))
                .await(10, TimeUnit.SECONDS);
        P2pApi api = new P2pApi(vertx.eventBus(), 5_000);
        Random random = new Random(seed);
        Map<Long, P2pApi.Placement> live = new HashMap<>();
        Map<Long, String> streamOf = new HashMap<>();
        long nextId = 1;
        for (int step = 0; step < 600; step++) {
            int action = random.nextInt(10);
            if (action < 5 || live.isEmpty()) {
                long id = nextId++;
                String stream = STREAMS[random.nextInt(STREAMS.length)];
                P2pApi.Placement placement = api.classify(id, stream, UAS[random.nextInt(UAS.length)], ONE_NETWORK, Set.of(), false, true)
                        .await(5, TimeUnit.SECONDS);
                live.put(id, placement);
                streamOf.put(id, stream);
            } else {
                long id = new ArrayList<>(live.keySet()).get(random.nextInt(live.size()));
                P2pApi.Placement placement = live.get(id);
                if (action < 8) {
                    P2pApi.Departure departure = api.leave(id).await(5, TimeUnit.SECONDS);
                    live.remove(id);
                    for (long orphan : departure.clients().keySet()) {
                        // An orphan asks again at once and must be served.
                        P2pApi.Placement again = api.classify(orphan, streamOf.get(orphan), UAS[0], ONE_NETWORK, Set.of(id), false, true)
                                .await(5, TimeUnit.SECONDS);
                        live.put(orphan, again);
                    }
                } else if (placement.role() == P2pApi.Role.CLIENT) {
                    boolean connected = action == 8;
                    api.relayResult(placement.hostId(), id, "10.0." + (id / 256) % 256 + "." + id % 256,
                            connected ? P2pApi.RelayOutcome.CONNECTED : P2pApi.RelayOutcome.FAILED, 100).await(5, TimeUnit.SECONDS);
                    if (!connected) {
                        live.put(id, api.classify(id, streamOf.get(id), UAS[0], ONE_NETWORK, Set.of(placement.hostId()), false, true)
                                .await(5, TimeUnit.SECONDS));
                    }
                }
            }
            check(api, live, streamOf, capacity, seed, step);
        }
        for (long id : new ArrayList<>(live.keySet())) {
            api.leave(id).await(5, TimeUnit.SECONDS);
        }
        assertEquals(0, api.hosts().await(5, TimeUnit.SECONDS).size(), "no stale host after everyone left (seed " + seed + ")");
        vertx.undeploy(deployment).await(10, TimeUnit.SECONDS);
    }

    private static void check(P2pApi api, Map<Long, P2pApi.Placement> live, Map<Long, String> streamOf, int capacity,
                              long seed, int step) throws Exception {
        String where = " (seed " + seed + ", step " + step + ")";
        JsonArray hosts = api.hosts().await(5, TimeUnit.SECONDS);
        Map<Long, JsonObject> byId = new HashMap<>();
        Set<Long> seenClients = new HashSet<>();
        for (int i = 0; i < hosts.size(); i++) {
            JsonObject host = hosts.getJsonObject(i);
            long hostId = host.getLong("host");
            byId.put(hostId, host);
            assertTrue(live.containsKey(hostId), "stale host " + hostId + where);
            JsonArray clients = host.getJsonArray("clients");
            assertTrue(clients.size() <= capacity, "over capacity: " + host + where);
            for (Object c : clients) {
                long client = ((Number) c).longValue();
                assertTrue(seenClients.add(client), "client on two hosts: " + client + where);
                assertEquals(host.getString("stream"), streamOf.get(client), "stream mismatch" + where);
            }
        }
        List<Long> clientsInPlacements = new ArrayList<>();
        for (Map.Entry<Long, P2pApi.Placement> e : live.entrySet()) {
            if (e.getValue().role() == P2pApi.Role.CLIENT) {
                clientsInPlacements.add(e.getKey());
            }
        }
        // Every live client is on exactly the host it was told, or was freed by a failed relay and re-placed.
        for (long client : clientsInPlacements) {
            JsonObject host = byId.get(live.get(client).hostId());
            assertTrue(host != null && host.getJsonArray("clients").contains(client),
                    "client " + client + " is not on its host " + live.get(client).hostId() + where);
        }
        assertEquals(clientsInPlacements.size(), seenClients.size(), "registry and placements agree" + where);
    }
}
