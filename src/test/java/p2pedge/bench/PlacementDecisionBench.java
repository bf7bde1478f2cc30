package p2pedge.bench;

import p2pedge.p2p.ClassificationPolicy;
import p2pedge.p2p.HostEntry;
import p2pedge.p2p.HostReputation;
import p2pedge.p2p.LocalHostRegistry;
import p2pedge.p2p.MeasuredPolicy;
import p2pedge.p2p.OmePolicy;
import p2pedge.p2p.PeerProfile;
import p2pedge.p2p.Placement;
import p2pedge.testing.TestPolicies;
import p2pedge.p2p.Reachability;
import p2pedge.p2p.YauaaProfiles;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * Placement decisions per second of the pure code, no event bus: {@link Placement#request}, the host search of
 * an in-memory {@link LocalHostRegistry} (the ranking every registry shares) and {@link Placement#decide}, with
 * the registration a HOST plan asks for. A population of {@code viewers} is built first; then each run times
 * {@code decisions} joins, each followed (untimed) by a random viewer leaving, so the population and the number
 * of hosts to rank stay level. Prints each run and the median and spread of the runs after one warm-up run.
 * The measured policy's profiles are Yauaa's, parsed once per User-Agent before timing (parsing is not part of
 * the decision; the edge caches it too). Compare bench/offload.sh, which times the event-bus round trip.
 * Usage: PlacementDecisionBench [viewers=10000] [decisions=2000000] [runs=5] [N=2] [policy=measured] [seed=1]
 */
public final class PlacementDecisionBench {

    /** Every player here comes from one public address: any pair can relay. */
    private static final Reachability ONE_NETWORK = Reachability.unmeasured("192.0.2.1");

    private static final String DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    private static final String FIREFOX = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:121.0) Gecko/20100101 Firefox/121.0";
    private static final String PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
    private static final String STREAM = "app/stream";

    public static void main(String[] args) {
        int viewers = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int decisions = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int n = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        String policyName = args.length > 4 ? args[4] : "measured";
        long seed = args.length > 5 ? Long.parseLong(args[5]) : 1;

        HostReputation reputation = new HostReputation(new HostReputation.Rules(2, 2, 600_000, true), System::currentTimeMillis);
        ClassificationPolicy policy = policyName.equals("ome") ? new OmePolicy(reputation) : measured(reputation);
        System.out.printf(Locale.ROOT, "placement decisions (pure: request, host search and ranking in memory, decide), "
                + "policy %s, N=%d, %d viewers live (70%% desktop Chrome, 15%% Firefox, 15%% iPhone), %d decisions per run, "
                + "1 warm-up run + %d, seed %d; one thread, System.nanoTime around each decision%n",
                policy.name(), n, viewers, decisions, runs, seed);
        double[] rates = new double[runs];
        for (int run = 0; run <= runs; run++) {
            Population population = new Population(policy, n, new Random(seed + run));
            population.fill(viewers);
            long nanos = population.churn(decisions);
            double rate = decisions / (nanos / 1e9);
            System.out.printf(Locale.ROOT, "%s %d: %,.0f decisions/s (%.2f us each), %d hosts, %d clients at the end%n",
                    run == 0 ? "warm-up" : "run", run, rate, nanos / 1e3 / decisions, population.hosts(), population.clients());
            if (run > 0) {
                rates[run - 1] = rate;
            }
        }
        Arrays.sort(rates);
        System.out.printf(Locale.ROOT, "median %,.0f decisions/s, spread %,.0f - %,.0f (%d runs)%n",
                rates[runs / 2], rates[0], rates[runs - 1], runs);
    }

    /** The measured policy with Yauaa's profiles of the three User-Agents, parsed before timing. */
    private static ClassificationPolicy measured(HostReputation reputation) {
        YauaaProfiles yauaa = new YauaaProfiles(true);
        Map<String, PeerProfile> profiles = new HashMap<>();
        for (String ua : List.of(DESKTOP, FIREFOX, PHONE)) {
            profiles.put(ua, yauaa.apply(ua));
        }
        return new MeasuredPolicy(profiles::get, reputation);
    }

    /** Viewers of one stream on one edge, placed and leaving through the pure code. */
    private static final class Population {
        private final Placement placement;
        private final LocalHostRegistry registry = new LocalHostRegistry();
        private final Random random;
        private final List<Long> live = new ArrayList<>();
        private long nextId = 1;

        Population(ClassificationPolicy policy, int n, Random random) {
            this.placement = new Placement(TestPolicies.settings("edge-1", true, n), policy, System::currentTimeMillis);
            this.random = random;
        }

        void fill(int viewers) {
            while (live.size() < viewers) {
                join();
            }
        }

        /** {@code decisions} joins, each followed by a random viewer leaving; the time of the decisions only. */
        long churn(int decisions) {
            long total = 0;
            for (int i = 0; i < decisions; i++) {
                total += join();
                leave(random.nextInt(live.size()));
            }
            return total;
        }

        private long join() {
            long id = nextId++;
            double r = random.nextDouble();
            String ua = r < 0.7 ? DESKTOP : r < 0.85 ? FIREFOX : PHONE;
            long start = System.nanoTime();
            Placement.Request request = placement.request(id, STREAM, ua, ONE_NETWORK, Set.of(), false, true);
            Optional<HostEntry> host = request.search().flatMap(s -> registry.reserve(s.stream(), s.family(), s.client(),
                    s.clientEdge(), s.excluded(), s.accepts(), s.score()).result());
            Placement.Plan plan = placement.decide(request, host);
            if (plan instanceof Placement.Host h && h.register() != null) {
                registry.register(h.register());
            }
            long took = System.nanoTime() - start;
            placement.mediaConnected(id).ifPresent(registry::register);
            live.add(id);
            return took;
        }

        /** The viewer at {@code index} of the live list leaves. */
        private void leave(int index) {
            long id = live.get(index);
            live.set(index, live.get(live.size() - 1));
            live.remove(live.size() - 1);
            placement.leave(id).ifPresent(leaving -> {
                if (leaving.hostOf() != 0) {
                    registry.release(leaving.hostOf(), id);
                }
                if (leaving.unregister()) {
                    placement.orphaned(id, registry.unregister(id).result().keySet());
                }
            });
        }

        int hosts() {
            return registry.snapshot().result().size();
        }

        int clients() {
            return registry.snapshot().result().stream().mapToInt(h -> h.clients().size()).sum();
        }
    }
}
