package p2pedge.bench;

import io.vertx.core.Vertx;
import p2pedge.config.EdgeConfig;
import p2pedge.media.MediaApi;
import p2pedge.p2p.LocalHostRegistry;
import p2pedge.p2p.P2pApi;
import p2pedge.p2p.Reachability;
import p2pedge.p2p.PeerClassificationVerticle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Offload under churn through the real placement code (classification verticle, policy, registry over the
 * event bus; no media): viewers join one by one, random viewers leave, relays fail at a given rate, the
 * orphans of a leaving host ask again at once. Prints the offload ratio (viewers served by peers / all
 * viewers) against the N/(N+1) limit and the placement latency.
 * Usage: OffloadSimulation [viewers=10000] [N=2] [leaveRate=0.3] [relayFailRate=0.05] [policy=measured] [seed=1]
 */
public final class OffloadSimulation {

    /** Every player here comes from one public address: any pair can relay. */
    private static final Reachability ONE_NETWORK = Reachability.unmeasured("192.0.2.1");

    private static final String DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    private static final String FIREFOX = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:121.0) Gecko/20100101 Firefox/121.0";
    private static final String PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

    public static void main(String[] args) throws Exception {
        int viewers = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        double leaveRate = args.length > 2 ? Double.parseDouble(args[2]) : 0.3;
        double failRate = args.length > 3 ? Double.parseDouble(args[3]) : 0.05;
        String policy = args.length > 4 ? args[4] : "measured";
        long seed = args.length > 5 ? Long.parseLong(args[5]) : 1;

        Vertx vertx = Vertx.vertx();
        EdgeConfig.P2p config = new EdgeConfig.P2p(true, n, EdgeConfig.Policy.valueOf(policy.toUpperCase(Locale.ROOT)), true, 3000, 8000, 2, 2, true, 30_000, 2, 600, true,
                EdgeConfig.Pairing.REACHABLE, 2500, new EdgeConfig.PairLearning(10, 4, 50, 600), 60,
                new EdgeConfig.Regroup(false, 2000, 3, 60),
                // Every host keeps N slots here (no upload reports): the churn bench (ChurnSimulation) has capacities that adapt.
                new EdgeConfig.Capacity(n, 120, 10, 6, 120));
        vertx.deployVerticle(new PeerClassificationVerticle(config, "edge-1", new LocalHostRegistry())).await(60, TimeUnit.SECONDS);
        P2pApi api = new P2pApi(vertx.eventBus(), 10_000);
        Random random = new Random(seed);
        Map<Long, P2pApi.Placement> live = new HashMap<>();
        Map<Long, String> agentOf = new HashMap<>();
        List<Long> ids = new ArrayList<>();
        long[] latencies = new long[viewers * 3];
        int placements = 0;
        int failures = 0;
        int replacements = 0;
        double limit = n / (n + 1.0);
        System.out.printf(Locale.ROOT, "offload simulation: %d joins, N=%d (limit N/(N+1) = %.3f), after each join a viewer "
                + "leaves with p=%.2f, each new relay fails with p=%.2f, policy %s, seed %d; UA mix 70%% desktop Chrome, "
                + "15%% Firefox, 15%% iPhone (never hosts)%n", viewers, n, limit, leaveRate, failRate, policy, seed);
        System.out.printf(Locale.ROOT, "%8s %8s %8s %8s %9s %9s %10s %14s %9s%n", "joined", "live", "hosts", "clients",
                "edge-only", "offload", "vs limit", "P2P-capable*", "unserved");
        long nextId = 1;
        for (int joined = 1; joined <= viewers; joined++) {
            long id = nextId++;
            double r = random.nextDouble();
            String agent = r < 0.7 ? DESKTOP : r < 0.85 ? FIREFOX : PHONE;
            agentOf.put(id, agent);
            ids.add(id);
            long t0 = System.nanoTime();
            P2pApi.Placement placement = api.classify(id, "app/stream", agent, ONE_NETWORK, Set.of(), false, true).await(10, TimeUnit.SECONDS);
            latencies[placements++] = System.nanoTime() - t0;
            live.put(id, placement);
            if (placement.role() == P2pApi.Role.HOST) {
                vertx.eventBus().publish(MediaApi.CONNECTED, id); // its edge connection carries media
            } else if (placement.role() == P2pApi.Role.CLIENT) {
                if (random.nextDouble() < failRate) {
                    failures++;
                    api.relayResult(placement.hostId(), id, addressOf(id), P2pApi.RelayOutcome.OFFERED, 300).await(10, TimeUnit.SECONDS);
                    api.relayResult(placement.hostId(), id, addressOf(id), P2pApi.RelayOutcome.FAILED, 3000).await(10, TimeUnit.SECONDS);
                    t0 = System.nanoTime();
                    P2pApi.Placement again = api.classify(id, "app/stream", agent, ONE_NETWORK, Set.of(placement.hostId()), false, true).await(10, TimeUnit.SECONDS);
                    latencies[placements++] = System.nanoTime() - t0;
                    live.put(id, again);
                    if (again.role() == P2pApi.Role.HOST) {
                        vertx.eventBus().publish(MediaApi.CONNECTED, id);
                    }
                } else {
                    api.relayResult(placement.hostId(), id, addressOf(id), P2pApi.RelayOutcome.OFFERED, 300).await(10, TimeUnit.SECONDS);
                    api.relayResult(placement.hostId(), id, addressOf(id), P2pApi.RelayOutcome.CONNECTED, 400).await(10, TimeUnit.SECONDS);
                }
            }
            if (random.nextDouble() < leaveRate && !ids.isEmpty()) {
                int index = random.nextInt(ids.size());
                long leaving = ids.get(index);
                ids.set(index, ids.get(ids.size() - 1));
                ids.remove(ids.size() - 1);
                live.remove(leaving);
                P2pApi.Departure departure = api.leave(leaving).await(10, TimeUnit.SECONDS);
                for (long orphan : departure.clients().keySet()) {
                    replacements++;
                    t0 = System.nanoTime();
                    P2pApi.Placement again = api.classify(orphan, "app/stream", agentOf.get(orphan), ONE_NETWORK, Set.of(), false, true).await(10, TimeUnit.SECONDS);
                    if (placements < latencies.length) {
                        latencies[placements++] = System.nanoTime() - t0;
                    }
                    live.put(orphan, again);
                    if (again.role() == P2pApi.Role.HOST) {
                        vertx.eventBus().publish(MediaApi.CONNECTED, orphan);
                    }
                }
            }
            if (joined % (viewers / 10) == 0) {
                print(api, live, joined, limit);
            }
        }
        System.out.println("* offload among viewers that can take part at all (not edge-only: here the iPhones, "
                + "which never host and find no WebKit host)");
        long[] sorted = Arrays.copyOf(latencies, placements);
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "placements %d (%d after a relay failure, %d orphans of leaving hosts), latency p50 %.3f ms, "
                        + "p99 %.3f ms (event-bus request/reply to the classification verticle, one at a time)%n",
                placements, failures, replacements, sorted[placements / 2] / 1e6, sorted[(int) (placements * 0.99)] / 1e6);
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private static void print(P2pApi api, Map<Long, P2pApi.Placement> live, int joined, double limit) throws Exception {
        int clients = 0;
        int edgeOnly = 0;
        Set<Long> hostIds = new HashSet<>();
        int unserved = 0;
        for (Map.Entry<Long, P2pApi.Placement> e : live.entrySet()) {
            if (e.getValue().role() == P2pApi.Role.EDGE) {
                edgeOnly++;
            }
            if (e.getValue().role() == P2pApi.Role.CLIENT) {
                clients++;
                if (!live.containsKey(e.getValue().hostId())) {
                    unserved++; // a client whose host is gone: must never happen, orphans are re-placed at once
                }
            }
        }
        api.hosts().await(10, TimeUnit.SECONDS).forEach(h -> hostIds.add(((io.vertx.core.json.JsonObject) h).getLong("host")));
        double offload = live.isEmpty() ? 0 : (double) clients / live.size();
        double capable = live.size() == edgeOnly ? 0 : (double) clients / (live.size() - edgeOnly);
        System.out.printf(Locale.ROOT, "%8d %8d %8d %8d %9d %9.3f %9.1f%% %14.3f %9d%n", joined, live.size(), hostIds.size(), clients,
                edgeOnly, offload, 100 * offload / limit, capable, unserved);
    }

    /** Each simulated viewer on its own machine (every one is a distinct witness of its relays). */
    private static String addressOf(long id) {
        return "10." + (id >> 16 & 255) + "." + (id >> 8 & 255) + "." + (id & 255);
    }
}
