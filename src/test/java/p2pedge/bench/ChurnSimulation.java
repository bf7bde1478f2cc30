package p2pedge.bench;

import p2pedge.p2p.HostCapacity;
import p2pedge.p2p.HostEntry;
import p2pedge.p2p.HostReputation;
import p2pedge.p2p.LocalHostRegistry;
import p2pedge.p2p.MeasuredPolicy;
import p2pedge.p2p.NatMapping;
import p2pedge.p2p.P2pApi;
import p2pedge.p2p.PairKind;
import p2pedge.p2p.PairOutcomes;
import p2pedge.p2p.PeerProfile;
import p2pedge.p2p.Placement;
import p2pedge.p2p.Reachability;
import p2pedge.p2p.Regrouping;
import p2pedge.testing.LocalPlacement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;

/**
 * P2P Delivery for an audience that behaves like one, through the project's decision code on a simulated clock:
 * {@link Placement} (with the measured policy, {@link HostCapacity} and {@link Regrouping}) and the registry, executed
 * as the classification verticle and signalling execute them, without sockets or media. The audience:
 * <ul>
 *   <li>joins at {@code rate} per second, in bursts (every 15 min, one minute at 4x the rate);</li>
 *   <li>watches for a log-normal time (median 5 min, sigma 1.3: most leave soon, a few stay for hours);</li>
 *   <li>80 % desktop browsers (may host), 20 % phones (clients only);</li>
 *   <li>upload: 60 % at 5-20 Mbit/s, 25 % at 2-5, 15 % at 0.3-2 (log-uniform in each band);</li>
 *   <li>NATs: 75 % endpoint-independent (cone), 15 % symmetric, 10 % unmeasured; a relay the edge predicts to
 *       connect (cone to cone) does with p = 0.95, any other pair with p = 0.2 (never tried by default).</li>
 * </ul>
 * A host's page reports every 2 s what its browser would: its relays' estimate is 90 % of its upload, shared; a relay
 * is held back when its share is under 80 % of the stream's 600 kbit/s. Relays connect (or fail) at once; an edge-served
 * player's media is up 1 s after its placement.
 * <p>
 * Prints, over the measured period (after a warm-up): offload among capable viewers (cone NAT: those the edge may
 * pair), against the depth-1 bound of the capacities actually granted (c/(c+1), c the hosts' mean slots); viewers
 * disturbed (a client losing its source: host left, slots shed, relay failed) per hour and per client-hour;
 * moves by regrouping. Then, with joins and leaves stopped, takes one host with clients away at a time and prints how
 * long until the clients are back to at most one fewer than before (its orphans re-served by peers).
 * Usage: ChurnSimulation [rate=3.5] [minutes=120] [maxSlots=4] [seed=1] [probationSeconds=0]
 */
public final class ChurnSimulation {

    private static final String STREAM = "app/stream";
    private static final int STREAM_KBPS = 600;
    private static final long WARM_UP_MS = 30 * 60_000;
    private static final long MEDIA_UP_MS = 1_000;
    private static final long REPORT_EVERY_MS = 2_000;
    private static final long REGROUP_EVERY_MS = 2_000;
    private static final int HOST_ATTEMPTS = 2;
    /** A new host's slots (p2p.capacity.startSlots). */
    private static final int START_SLOTS = 2;
    private static final PeerProfile DESKTOP = new PeerProfile("Blink", true, "desktop");
    private static final PeerProfile PHONE = new PeerProfile("Blink", false, "phone");

    private record Viewer(long id, PeerProfile profile, int uploadKbps, Reachability reachability) {
        boolean capable() {
            return reachability.mapping() == NatMapping.ENDPOINT_INDEPENDENT;
        }
    }

    private final Random random;
    private final long[] now = {0};
    private final LocalHostRegistry registry = new LocalHostRegistry();
    private final Placement placement;
    private final Map<Long, Viewer> live = new HashMap<>();
    /** Client -> the host it plays from, as the players see it. */
    private final Map<Long, Long> sourceOf = new HashMap<>();
    /** Media that comes up later: (time, session). */
    private final PriorityQueue<long[]> mediaUp = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    private final PriorityQueue<long[]> departures = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    private long nextId = 1;
    private long disturbed;
    private long moves;
    private long shedClients;
    private boolean measuring;
    private final long probationMs;

    private ChurnSimulation(long seed, int maxSlots, long probationMs) {
        random = new Random(seed);
        this.probationMs = probationMs;
        HostReputation reputation = new HostReputation(new HostReputation.Rules(2, 2, 600_000, true), () -> now[0]);
        MeasuredPolicy policy = new MeasuredPolicy(ua -> ua.equals("phone") ? PHONE : DESKTOP, reputation);
        placement = new Placement(new Placement.Settings("edge-1", true, maxSlots, false, false,
                new PairOutcomes.Rules(20, 6, 50, 600_000), new Regrouping.Rules(3_000, 60_000, 2),
                new HostCapacity.Rules(Math.min(START_SLOTS, maxSlots), maxSlots, 1.2, 10_000, 6_000, 120_000)), policy, () -> now[0]);
    }

    public static void main(String[] args) {
        double rate = args.length > 0 ? Double.parseDouble(args[0]) : 3.5;
        int minutes = args.length > 1 ? Integer.parseInt(args[1]) : 120;
        int maxSlots = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 1;
        int probationSeconds = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        System.out.printf(Locale.ROOT, "churn simulation: %.1f joins/s (bursts of 4x for 1 min every 15 min), %d min "
                + "(the first %d warm up), at most %d clients per host, host probation %d s, seed %d%n", rate, minutes,
                WARM_UP_MS / 60_000, maxSlots, probationSeconds, seed);
        new ChurnSimulation(seed, maxSlots, probationSeconds * 1000L).run(rate, minutes * 60_000L);
    }

    private void run(double rate, long durationMs) {
        double offloadSum = 0;
        double slotSum = 0;
        long samples = 0;
        long clientMs = 0;
        int peakViewers = 0;
        long measureStart = WARM_UP_MS;
        for (long t = 0; t < durationMs; t += 1_000) {
            now[0] = t;
            measuring = t >= measureStart;
            boolean burst = t % (15 * 60_000) < 60_000;
            int joins = poisson(burst ? 4 * rate : rate);
            for (int i = 0; i < joins; i++) {
                join();
            }
            while (!departures.isEmpty() && departures.peek()[0] <= t) {
                long id = departures.poll()[1];
                if (live.containsKey(id)) {
                    leave(id);
                }
            }
            tick(t);
            if (measuring) {
                int[] roles = roles();
                offloadSum += roles[1] == 0 ? 0 : (double) roles[0] / roles[1];
                slotSum += meanSlots();
                samples++;
                clientMs += 1_000L * sourceOf.size();
                peakViewers = Math.max(peakViewers, live.size());
            }
            if (t > 0 && t % (10 * 60_000) == 0) {
                int[] roles = roles();
                int[] spare = spare();
                System.out.printf(Locale.ROOT, "  t=%3d min: %5d viewers, %4d hosts (mean %.2f slots), %5d clients, offload among "
                        + "capable %.3f; capable hosts without a client %d, free slots on capable hosts %d%n", t / 60_000,
                        live.size(), hostCount(), meanSlots(), roles[0], roles[1] == 0 ? 0 : (double) roles[0] / roles[1],
                        spare[0], spare[1]);
            }
        }
        double hours = (durationMs - measureStart) / 3_600_000.0;
        double offload = offloadSum / samples;
        double slots = slotSum / samples;
        double bound = slots / (slots + 1);
        System.out.printf(Locale.ROOT, "measured over %.1f h (peak %d viewers): offload among capable viewers %.3f; hosts' mean "
                        + "granted slots %.2f, depth-1 bound %.3f; offload/bound %.3f%n", hours, peakViewers, offload, slots, bound,
                offload / bound);
        System.out.printf(Locale.ROOT, "disturbed: %d clients lost their source (%.0f per hour, %.3f per client-hour), of them "
                        + "%d shed by a lowered host; %d moves by regrouping (make-before-break, not disturbing)%n",
                disturbed, disturbed / hours, disturbed / (clientMs / 3_600_000.0), shedClients, moves);
        regroupAfterHostLosses(durationMs);
    }

    /**
     * With joins and leaves stopped: one host with clients at a time goes; how long until its c orphans play from peers
     * as far as new hosts' start slots s allow (clients back to at most ceil(c/(s+1)) fewer: those that must host), and
     * until clients are back to at most one fewer than before (which may take a host's slots being raised).
     */
    private void regroupAfterHostLosses(long t0) {
        long t = t0;
        List<Long> regroupMs = new ArrayList<>();
        List<Long> restoreMs = new ArrayList<>();
        int never = 0;
        for (int trial = 0; trial < 20; trial++) {
            for (long settle = t + 65_000; t < settle; t += 1_000) {
                now[0] = t;
                tick(t);
            }
            List<Long> hostsWithClients = new ArrayList<>();
            registry.snapshot().result().forEach(h -> {
                if (!h.clients().isEmpty() && live.containsKey(h.hostId())) {
                    hostsWithClients.add(h.hostId());
                }
            });
            if (hostsWithClients.isEmpty()) {
                break;
            }
            hostsWithClients.sort(null);
            long lost = hostsWithClients.get(random.nextInt(hostsWithClients.size()));
            int before = sourceOf.size();
            Set<Long> orphanIds = registry.snapshot().result().stream().filter(h -> h.hostId() == lost).findFirst().orElseThrow()
                    .clients().keySet();
            int orphans = orphanIds.size();
            int mustHost = (orphans + START_SLOTS) / (START_SLOTS + 1);
            now[0] = t;
            leave(lost);
            long start = t;
            long regrouped = -1;
            long restored = -1;
            for (; t - start <= 60_000; t += 100) {
                now[0] = t;
                if (t % 1_000 == 0) {
                    tick(t);
                } else {
                    mediaUpUntil(t);
                }
                if (regrouped < 0 && sourceOf.size() >= before - mustHost) {
                    regrouped = t - start;
                }
                if (sourceOf.size() >= before - 1) {
                    restored = t - start;
                    break;
                }
                if (t - start == 10_000) {
                    whyNotBack(trial, t, before - sourceOf.size(), orphanIds);
                }
            }
            regroupMs.add(regrouped < 0 ? Long.MAX_VALUE : regrouped);
            if (restored < 0) {
                never++;
            } else {
                restoreMs.add(restored);
            }
            t = (t / 1_000 + 1) * 1_000;
        }
        long[] paired = regroupMs.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "regrouping after a host loss (no joins, no leaves; %d losses): orphans paired as new "
                        + "hosts' %d start slots allow within 10 s after %d, median %d ms, max %s%n", paired.length, START_SLOTS,
                regroupMs.stream().filter(ms -> ms <= 10_000).count(), paired.length == 0 ? -1 : paired[paired.length / 2],
                paired.length == 0 ? "-" : paired[paired.length - 1] == Long.MAX_VALUE ? "over 60 s" : paired[paired.length - 1] + " ms");
        long[] sorted = restoreMs.stream().mapToLong(Long::longValue).sorted().toArray();
        long within10s = restoreMs.stream().filter(ms -> ms <= 10_000).count();
        System.out.printf(Locale.ROOT, "  and clients back to at most one fewer than before the loss (%d losses) "
                        + "within 10 s after %d, median %d ms, max %d ms (%s); not within 60 s (no peer capacity left): %d%n",
                sorted.length + never, within10s, sorted.length == 0 ? -1 : sorted[sorted.length / 2],
                sorted.length == 0 ? -1 : sorted[sorted.length - 1], Arrays.toString(sorted), never);
    }

    /**
     * A loss whose clients are not back within 10 s: where each of its orphans is then (a client, a host and of how
     * many, or served by the edge, with how long since it last moved) and the free slots regrouping could use.
     */
    private void whyNotBack(int trial, long t, int missing, Set<Long> orphans) {
        Map<Long, Regrouping.Candidate> movable = new HashMap<>();
        placement.regroupCandidates().forEach(c -> movable.put(c.session(), c));
        Map<Long, HostEntry> hosts = new HashMap<>();
        registry.snapshot().result().forEach(h -> hosts.put(h.hostId(), h));
        List<String> where = new ArrayList<>();
        for (long orphan : orphans) {
            Regrouping.Candidate c = movable.get(orphan);
            String state = !live.containsKey(orphan) ? "gone"
                    : sourceOf.containsKey(orphan) ? "a client"
                    : hosts.containsKey(orphan) ? "a host of " + hosts.get(orphan).clients().size() + " (" + hosts.get(orphan).capacity() + " slots)"
                    : "on the edge";
            where.add(orphan + " " + state + (c == null ? ", not movable now"
                    : String.format(Locale.ROOT, ", movable (last moved %s), %s", t - c.lastMovedMillis() > 3_600_000 ? "never"
                    : (t - c.lastMovedMillis()) / 1_000 + " s ago",
                    placement.regroup(List.of(c), List.copyOf(hosts.values())).isEmpty() ? "no host would take it" : "a host would take it")));
        }
        // A host without clients moves only onto a host that has clients (or a lower id): those slots are what it can use.
        int onRelaying = hosts.values().stream().filter(h -> h.reachability().mapping() == NatMapping.ENDPOINT_INDEPENDENT
                && !h.clients().isEmpty()).mapToInt(h -> Math.max(0, h.freeSlots())).sum();
        System.out.printf(Locale.ROOT, "  loss %d: %d client(s) short 10 s after it; free slots on capable hosts %d, on those "
                + "with clients %d; its orphans: %s%n", trial + 1, missing, spare()[1], onRelaying, String.join("; ", where));
    }

    /** What happens every simulated second besides joins and leaves: media coming up, host reports, regrouping. */
    private void tick(long t) {
        mediaUpUntil(t);
        if (t % REPORT_EVERY_MS == 0) {
            hostReports();
        }
        if (t % REGROUP_EVERY_MS == 0) {
            regroup();
        }
    }

    private void mediaUpUntil(long t) {
        while (!mediaUp.isEmpty() && mediaUp.peek()[0] <= t) {
            long id = mediaUp.poll()[1];
            if (live.containsKey(id)) {
                placement.mediaConnected(id).ifPresent(registry::register);
            }
        }
    }

    private void join() {
        long id = nextId++;
        PeerProfile profile = random.nextDouble() < 0.8 ? DESKTOP : PHONE;
        double band = random.nextDouble();
        double upload = band < 0.6 ? logUniform(5_000, 20_000) : band < 0.85 ? logUniform(2_000, 5_000) : logUniform(300, 2_000);
        double nat = random.nextDouble();
        NatMapping mapping = nat < 0.75 ? NatMapping.ENDPOINT_INDEPENDENT : nat < 0.9 ? NatMapping.ENDPOINT_DEPENDENT : NatMapping.UNKNOWN;
        Viewer viewer = new Viewer(id, profile, (int) upload, new Reachability(addressOf(id), mapping));
        live.put(id, viewer);
        // Log-normal, median 5 min, sigma 1.3; at most 4 h.
        long watchMs = (long) Math.min(4 * 3_600_000.0, 300_000 * Math.exp(1.3 * random.nextGaussian()));
        departures.add(new long[]{now[0] + watchMs, id});
        place(viewer, new HashSet<>());
    }

    /** A request_offer, as the classification verticle executes it, then the relay as the network decides it. */
    private void place(Viewer viewer, Set<Long> excluded) {
        Placement.Request request = placement.request(viewer.id, STREAM, viewer.profile == PHONE ? "phone" : "desktop",
                viewer.reachability, excluded, excluded.size() >= HOST_ATTEMPTS, true);
        sourceOf.remove(viewer.id);
        Placement.Plan plan = LocalPlacement.execute(placement, registry, request);
        if (plan instanceof Placement.Client c) {
            relay(viewer, c.host(), excluded);
            return;
        }
        // With a probation, a would-be host's edge connection counts only that long after it is up (it is no host and
        // no regrouping candidate meanwhile): what registering hosts only after they have played a while would do.
        mediaUp.add(new long[]{now[0] + MEDIA_UP_MS + (plan instanceof Placement.Host ? probationMs : 0), viewer.id});
    }

    /** The relay from {@code host} to {@code client} connects, or fails and the client asks again. */
    private void relay(Viewer client, long host, Set<Long> excluded) {
        Viewer source = live.get(host);
        PairKind kind = PairKind.of(source.reachability, client.reachability, false);
        boolean connects = random.nextDouble() < (kind.predictedToConnect() ? 0.95 : 0.2);
        String witness = client.reachability.publicAddress();
        report(placement.relayResult(host, client.id, P2pApi.RelayOutcome.OFFERED, witness, now[0], 200), host, client.id);
        if (connects) {
            report(placement.relayResult(host, client.id, P2pApi.RelayOutcome.CONNECTED, witness, now[0], 400), host, client.id);
            sourceOf.put(client.id, host);
            return;
        }
        report(placement.relayResult(host, client.id, P2pApi.RelayOutcome.FAILED, witness, now[0], 3_000), host, client.id);
        count(1);
        Set<Long> tried = new HashSet<>(excluded);
        tried.add(host);
        place(client, tried);
    }

    private void report(Placement.RelayResult result, long host, long client) {
        if (result.health() != null) {
            registry.updateHealth(host, result.health());
        }
        if (result.release()) {
            registry.release(host, client);
        }
    }

    private void leave(long id) {
        live.remove(id);
        sourceOf.remove(id);
        Placement.Leaving leaving = placement.leave(id).orElse(null);
        if (leaving == null) {
            return;
        }
        if (leaving.hostOf() != 0) {
            registry.release(leaving.hostOf(), id);
        }
        Map<Long, String> orphans = leaving.unregister() ? registry.unregister(id).result() : Map.of();
        placement.orphaned(id, orphans.keySet());
        count(orphans.size());
        for (long orphan : orphans.keySet()) {
            place(live.get(orphan), new HashSet<>());
        }
    }

    /** Every registered host reports what its browser measures of its relays; lowered hosts' newest clients go. */
    private void hostReports() {
        for (HostEntry h : List.copyOf(registry.snapshot().result())) {
            Viewer host = live.get(h.hostId());
            int relays = h.clients().size();
            if (host == null || relays == 0) {
                continue;
            }
            double estimate = 0.9 * host.uploadKbps;
            boolean limited = estimate / relays < 0.8 * STREAM_KBPS;
            int sent = (int) Math.min(relays * STREAM_KBPS, estimate);
            OptionalInt slots = placement.upload(h.hostId(), new HostCapacity.Upload(relays, sent, (int) estimate, limited), STREAM_KBPS);
            if (slots.isPresent()) {
                Map<Long, String> shed = registry.resize(h.hostId(), slots.getAsInt()).result();
                count(shed.size());
                if (measuring) {
                    shedClients += shed.size();
                }
                for (long client : shed.keySet()) {
                    place(live.get(client), new HashSet<>());
                }
            }
        }
    }

    /** A regrouping round as the classification verticle runs it. */
    private void regroup() {
        List<Regrouping.Candidate> candidates = placement.regroupCandidates();
        if (candidates.isEmpty()) {
            return;
        }
        List<HostEntry> hosts = List.copyOf(registry.snapshot().result());
        for (Regrouping.Move move : placement.regroup(candidates, hosts)) {
            HostEntry to = move.to();
            Optional<HostEntry> reserved = registry.reserve(to.stream(), to.family(), move.session(), "edge-1", Set.of(),
                    h -> h.hostId() == to.hostId(), h -> 0).result();
            if (reserved.isEmpty()) {
                continue;
            }
            HostEntry own = hosts.stream().filter(h -> h.hostId() == move.session()).findFirst().orElse(null);
            Map<Long, String> clients = own == null ? Map.of() : registry.unregister(move.session()).result();
            if (!clients.isEmpty()) {
                // A client was placed on the mover meanwhile (an earlier move's relay failed): it stays a host.
                registry.release(to.hostId(), move.session());
                HostEntry kept = own;
                for (Map.Entry<Long, String> c : clients.entrySet()) {
                    kept = kept.withClient(c.getKey(), c.getValue());
                }
                registry.register(kept);
                continue;
            }
            Optional<Placement.Client> client = placement.moved(move.session(), reserved.get());
            if (client.isEmpty()) {
                registry.release(to.hostId(), move.session());
                continue;
            }
            if (measuring) {
                moves++;
            }
            relay(live.get(move.session()), client.get().host(), new HashSet<>());
        }
    }

    private void count(int clients) {
        if (measuring) {
            disturbed += clients;
        }
    }

    /** {clients among capable viewers, capable viewers}. */
    private int[] roles() {
        int capable = 0;
        int clients = 0;
        for (Viewer v : live.values()) {
            if (v.capable()) {
                capable++;
                if (sourceOf.containsKey(v.id)) {
                    clients++;
                }
            }
        }
        return new int[]{clients, capable};
    }

    /** {capable hosts without a client, free slots on capable hosts}: what regrouping could still pair. */
    private int[] spare() {
        int childless = 0;
        int free = 0;
        for (HostEntry h : registry.snapshot().result()) {
            if (h.reachability().mapping() == NatMapping.ENDPOINT_INDEPENDENT) {
                childless += h.clients().isEmpty() ? 1 : 0;
                free += Math.max(0, h.freeSlots());
            }
        }
        return new int[]{childless, free};
    }

    private int hostCount() {
        return registry.snapshot().result().size();
    }

    /** Mean slots of the hosts capable viewers can play from (a symmetric or unmeasured host is never paired). */
    private double meanSlots() {
        return registry.snapshot().result().stream().filter(h -> h.reachability().mapping() == NatMapping.ENDPOINT_INDEPENDENT)
                .mapToInt(HostEntry::capacity).average().orElse(0);
    }

    private int poisson(double mean) {
        int k = 0;
        double p = Math.exp(-mean);
        double cumulative = p;
        double u = random.nextDouble();
        while (u > cumulative && k < 1_000) {
            k++;
            p *= mean / k;
            cumulative += p;
        }
        return k;
    }

    private double logUniform(double low, double high) {
        return Math.exp(Math.log(low) + random.nextDouble() * (Math.log(high) - Math.log(low)));
    }

    private static String addressOf(long id) {
        return "10." + (id >> 16 & 255) + "." + (id >> 8 & 255) + "." + (id & 255);
    }
}
