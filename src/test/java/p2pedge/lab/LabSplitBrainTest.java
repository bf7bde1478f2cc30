package p2pedge.lab;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.AutoPlayer;
import p2pedge.testing.Lab;
import p2pedge.testing.Waits;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real split brain: three clustered edges, each in its own namespace on the lab's internet; the links between
 * {A} and {B, C} are cut for 20 s while synthetic players (real WebSockets, the ome policy's host-on-offer, fake
 * relay SDP) keep joining and leaving on both sides; then the cut heals. Both sides must keep serving throughout,
 * and once Hazelcast has merged the two sides the shared host registry must equal the live sockets: every live
 * edge-served player a host on its own edge and nothing else, every live client in exactly its host's client
 * list, no client on a host that the other side purged.
 */
@Tag("lab")
@Tag("cluster")
@ExtendWith(VertxExtension.class)
class LabSplitBrainTest {

    private static final String TOKEN = "lab-admin-token-for-the-split-brain-test";
    private static final long CUT_MILLIS = 20_000;

    private record Member(Lab.Edge edge, List<AutoPlayer> players) {
    }

    private static AutoPlayer join(Vertx vertx, Member member) throws Exception {
        AutoPlayer player = AutoPlayer.join(vertx, member.edge.address, 3333, AutoPlayer.CHROME_UA);
        member.players.add(player);
        Waits.until(() -> player.host() >= 0, 5_000, "a player joining " + member.edge.name + " is served");
        return player;
    }

    /** The registry as edge {@code member} sees it: host id -> (edge, clients). */
    private static Map<Long, JsonObject> registry(Member member) throws Exception {
        Map<Long, JsonObject> hosts = new TreeMap<>();
        for (Object o : new JsonArray(member.edge.admin("/admin/hosts", TOKEN))) {
            JsonObject host = (JsonObject) o;
            hosts.put(host.getLong("host"), host);
        }
        return hosts;
    }

    @Test
    void bothSidesServeThroughACutAndTheMergedRegistryEqualsTheLiveSockets(Vertx vertx) throws Exception {
        try (Lab lab = Lab.start()) {
            String members = "203.0.113.10,203.0.113.11,203.0.113.12";
            List<Member> edges = new ArrayList<>();
            String cluster = "lab-" + UUID.randomUUID();
            for (int i = 0; i < 3; i++) {
                String name = "e" + (i + 1);
                int octet = 10 + i;
                Map<String, String> overrides = new HashMap<>(Map.of(
                        "cluster.enabled", "true", "cluster.name", cluster, "cluster.host", "203.0.113." + octet,
                        "cluster.members", members, "p2p.policy", "ome", "media.connectTimeoutSeconds", "600",
                        "metrics.adminToken", TOKEN,
                        "streams", "[{\"name\":\"app/stream\",\"source\":\"demo\",\"width\":320,\"height\":180,\"fps\":15,\"bitrateKbps\":200}]"));
                // All synthetic players come from the test's one address.
                overrides.putAll(Map.of("signalling.maxSocketsPerAddress", "0", "signalling.maxPendingOffersPerAddress", "0",
                        "http.maxConnectionsPerAddress", "0"));
                edges.add(new Member(lab.edge(name, octet, overrides), new ArrayList<>()));
            }
            Member a = edges.get(0);
            Member b = edges.get(1);
            Member c = edges.get(2);
            for (int i = 0; i < 12; i++) {
                join(vertx, edges.get(i % 3));
            }
            Waits.until(() -> registry(a).equals(registry(b)) && registry(b).equals(registry(c)), 10_000,
                    "one registry before the cut");
            System.out.printf("split brain: before the cut %d hosts%n", registry(a).size());

            long cutAt = System.nanoTime();
            lab.cut(List.of("e1"), List.of("e2", "e3"));
            Random random = new Random(7);
            int joinedDuringCut = 0;
            while ((System.nanoTime() - cutAt) / 1_000_000 < CUT_MILLIS) {
                for (Member side : List.of(a, b)) {
                    join(vertx, side); // served within 5 s on both sides, or this fails
                    joinedDuringCut++;
                    List<AutoPlayer> live = side.players.stream().filter(p -> !p.closed()).toList();
                    live.get(random.nextInt(live.size())).close();
                }
                Thread.sleep(1_000);
            }
            lab.heal();
            long healedAt = System.nanoTime();
            System.out.printf("split brain: cut for %d ms, %d players joined (and as many left) on both sides, all served%n",
                    (healedAt - cutAt) / 1_000_000, joinedDuringCut);

            // After the merge every edge sees one registry, and it matches the live sockets.
            try {
                Waits.until(() -> {
                    Map<Long, JsonObject> seen = registry(a);
                    return seen.equals(registry(b)) && seen.equals(registry(c)) && matchesLivePlayers(seen, edges) == null;
                }, 120_000, "one registry on every edge after the heal");
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; edge A: " + matchesLivePlayersQuietly(a, edges) + "; edge B: "
                        + matchesLivePlayersQuietly(b, edges), e);
            }
            System.out.printf("split brain: merged and consistent %d ms after the heal (%d hosts)%n",
                    (System.nanoTime() - healedAt) / 1_000_000, registry(a).size());
            assertEquals(null, matchesLivePlayers(registry(b), edges));
            for (Member m : edges) {
                for (AutoPlayer p : m.players) {
                    if (!p.closed()) {
                        assertTrue(p.host() >= 0, "every live player is served");
                    }
                }
            }
        }
    }

    private static String matchesLivePlayersQuietly(Member seenBy, List<Member> edges) {
        try {
            return String.valueOf(matchesLivePlayers(registry(seenBy), edges));
        } catch (Exception e) {
            return e.toString();
        }
    }

    /** Null when the registry is exactly what the live players say; else what differs. */
    private static String matchesLivePlayers(Map<Long, JsonObject> registry, List<Member> edges) throws Exception {
        Map<Long, String> liveHosts = new HashMap<>();
        Map<Long, Set<Long>> liveClients = new HashMap<>();
        for (Member m : edges) {
            for (AutoPlayer p : m.players) {
                if (p.closed() || p.host() < 0) {
                    continue;
                }
                if (p.host() == 0) {
                    liveHosts.put(p.id(), m.edge.name);
                } else {
                    liveClients.computeIfAbsent(p.host(), h -> new HashSet<>()).add(p.id());
                }
            }
        }
        if (!registry.keySet().equals(liveHosts.keySet())) {
            Set<Long> extra = new HashSet<>(registry.keySet());
            extra.removeAll(liveHosts.keySet());
            Set<Long> missing = new HashSet<>(liveHosts.keySet());
            missing.removeAll(registry.keySet());
            return "hosts in the registry but gone: " + extra + "; live hosts not in it: " + missing;
        }
        for (Map.Entry<Long, JsonObject> host : registry.entrySet()) {
            Set<Long> listed = new HashSet<>();
            host.getValue().getJsonArray("clients").forEach(id -> listed.add(((Number) id).longValue()));
            Set<Long> live = liveClients.getOrDefault(host.getKey(), Set.of());
            if (!listed.equals(live)) {
                return "host " + host.getKey() + " lists clients " + listed + ", its live clients are " + live;
            }
        }
        for (Long host : liveClients.keySet()) {
            if (!registry.containsKey(host)) {
                return "clients " + liveClients.get(host) + " play from host " + host + ", which the registry lost";
            }
        }
        return null;
    }
}
