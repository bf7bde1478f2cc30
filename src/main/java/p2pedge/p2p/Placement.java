package p2pedge.p2p;

import p2pedge.config.EdgeConfig.P2pConsent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * Where each player goes on request_offer, and what classification remembers of it between requests. Pure: it
 * decides around the host registry, which its caller asks; the registry's atomic reserve (shared by the
 * cluster) stays the one place a slot is taken. A request is decided in two steps: {@link #request} says what to
 * give back and where to look for a host, {@link #decide} turns what the registry reserved into a {@link Plan}.
 * Confined to the classification verticle's context (but {@link Search#accepts} may be called from a registry's
 * threads).
 */
public final class Placement {

    /**
     * What a placement depends on besides the players: the policy and this edge's settings.
     * @param loopbackIsOneNetwork players on loopback addresses count as one network (players on one machine: tests)
     * @param tryUnprovenPairs     pair players whose relay is predicted to fail too (OvenMediaEngine's way; to
     *                             compare, or where the prediction is known wrong): with a short connect bound
     * @param learning             when a kind of pair whose relays failed is not tried for a while
     * @param regroup              when hosts of this edge with no client move onto another host (null: never)
     * @param capacity             how a host's slots follow its relays' upload (null: every host has
     *                             {@code maxClientsPerHost}, the reference server's way)
     */
    public record Settings(String edgeId, boolean p2pEnabled, int maxClientsPerHost, boolean loopbackIsOneNetwork,
                           boolean tryUnprovenPairs, PairOutcomes.Rules learning, Regrouping.Rules regroup,
                           HostCapacity.Rules capacity) {
        boolean p2pOn() {
            return p2pEnabled && maxClientsPerHost > 0;
        }
    }

    /** Where a would-be host stands with its trial (see {@link #hostTried}). */
    private enum Trial { NONE, PENDING, FAILED }

    /** What classification remembers of a player between its requests. */
    private static final class Peer {
        final String stream;
        final PeerProfile profile;
        Reachability reachability;
        /** It reports its relays' state: its relaying is seen, it needs no trial. */
        boolean reports;
        Trial trial = Trial.NONE;
        boolean registeredHost;
        boolean awaitingMedia;
        /** Since when its current edge connection carries media (-1: none yet). */
        long mediaSinceMillis = -1;
        long lastMovedMillis = Long.MIN_VALUE / 2;
        long hostOf;
        /** The kind of its relay with {@code hostOf}, while it has one. */
        PairKind pairKind;
        /** Its slots as a host, when they follow its upload. */
        HostCapacity.State capacity;
        /** Served by the edge (a host, or a player that found no host or may only be served so). */
        boolean edgeServed;
        /** It ran out of host attempts: the edge serves it, it is never moved onto a host. */
        boolean edgeOnly;
        /** What it agreed to in P2P (its token, or the edge's default): host, only client, or neither. */
        P2pConsent consent = P2pConsent.HOST;
        /** Hosts that failed it, as its last request said. */
        Set<Long> excluded = Set.of();

        Peer(String stream, PeerProfile profile) {
            this.stream = stream;
            this.profile = profile;
        }
    }

    /** Where to look for a host: the arguments of {@link HostRegistry#reserve}. */
    public record Search(String stream, String family, long client, String clientEdge, Set<Long> excluded,
                         Predicate<HostEntry> accepts, ToDoubleFunction<HostEntry> score) {
    }

    /**
     * Step one of a request: the slot to give back first ({@code releaseFrom} the host, 0: none) and where to look
     * for a host (null: the player may not be a client now).
     */
    public static final class Request {
        private final long session;
        private final Peer peer;
        private final long releaseFrom;
        private final Search search;

        private Request(long session, Peer peer, long releaseFrom, Search search) {
            this.session = session;
            this.peer = peer;
            this.releaseFrom = releaseFrom;
            this.search = search;
        }

        public long session() {
            return session;
        }

        public long releaseFrom() {
            return releaseFrom;
        }

        public Optional<Search> search() {
            return Optional.ofNullable(search);
        }
    }

    /** What a request comes to. */
    public sealed interface Plan {
        P2pApi.Role role();
    }

    /**
     * A client of {@code host}, whose socket is on {@code hostEdge} (its slot is already reserved); {@code predicted}:
     * the relay is predicted to connect (else it is tried with the short bound).
     */
    public record Client(long host, String hostEdge, boolean predicted) implements Plan {
        public P2pApi.Role role() {
            return P2pApi.Role.CLIENT;
        }
    }

    /** Served by the edge and a host: {@code register} it now (null: already registered, or once its media is up). */
    public record Host(HostEntry register) implements Plan {
        public P2pApi.Role role() {
            return P2pApi.Role.HOST;
        }
    }

    /** Served by the edge, never relays. */
    public record Edge() implements Plan {
        public P2pApi.Role role() {
            return P2pApi.Role.EDGE;
        }
    }

    /** What to give back for a player that left: its slot on {@code hostOf} (0: none), its own entry as a host. */
    public record Leaving(long hostOf, boolean unregister) {
    }

    private final Settings settings;
    private final ClassificationPolicy policy;
    private final LongSupplier millis;
    private final PairOutcomes outcomes;
    private final Regrouping regrouping;
    private final HostCapacity capacity;
    /** Public addresses where a silent client gave up on its relay, and when (see {@link #gaveUpUnseen}). */
    private final Map<String, Long> gaveUpAt = new HashMap<>();
    /** Public addresses whose unmeasured players stay off hosts until then. */
    private final Map<String, Long> suspectedUntil = new HashMap<>();
    /** Addresses kept at most in each of those maps (expired ones go first; more are not recorded). */
    private static final int MAX_ADDRESSES = 10_000;
    /** A player of that network asking within this long of the give-up is its viewer reloading, or asking again. */
    static final long RELOAD_WINDOW_MILLIS = 30_000;
    private final Map<Long, Peer> peers = new HashMap<>();
    /** Read by {@link Search#accepts}, possibly on a registry's thread. */
    private final Set<String> departedEdges = ConcurrentHashMap.newKeySet();
    /**
     * Hosts that left while the registry removes their entries: their clients are told at once and ask again (or are
     * served unasked) before that removal completes, and must not be placed back on them. Read like departedEdges.
     */
    private final Set<Long> leavingHosts = ConcurrentHashMap.newKeySet();
    private boolean draining;

    /** @param millis the clock (milliseconds) relay outcomes are learnt on */
    public Placement(Settings settings, ClassificationPolicy policy, LongSupplier millis) {
        this.settings = settings;
        this.policy = policy;
        this.millis = millis;
        this.outcomes = new PairOutcomes(settings.learning());
        this.regrouping = settings.regroup() == null ? null : new Regrouping(settings.regroup(), policy);
        this.capacity = settings.capacity() == null ? null : new HostCapacity(settings.capacity());
    }

    /**
     * A player asks for the stream (again, when its host failed or left).
     * @param reachability how other players can reach it (the latest the edge knows)
     * @param excluded     hosts that already failed it
     * @param edgeOnly     it ran out of host attempts: serve it from the edge
     * @param reports      it reports its relays' state ({@code stats})
     */
    public Request request(long session, String stream, String userAgent, Reachability reachability, Set<Long> excluded,
                           boolean edgeOnly, boolean reports) {
        return request(session, stream, userAgent, reachability, excluded, edgeOnly, reports, P2pConsent.HOST);
    }

    /**
     * The same for a player that agreed to less in P2P: {@code client} is never a host, {@code none} neither a host nor
     * a client (served by the edge, its address never given to another player).
     */
    public Request request(long session, String stream, String userAgent, Reachability reachability, Set<Long> excluded,
                           boolean edgeOnly, boolean reports, P2pConsent consent) {
        Peer peer = peers.computeIfAbsent(session, s -> new Peer(stream, policy.profile(userAgent)));
        peer.consent = consent;
        peer.reachability = reachability;
        peer.reports = reports;
        peer.edgeOnly = edgeOnly;
        peer.excluded = Set.copyOf(excluded);
        peer.edgeServed = false;
        // A new request is a new connection: its media is not up yet.
        peer.mediaSinceMillis = -1;
        long releaseFrom = peer.hostOf;
        // A client asking again (its host left or failed): its old slot is free.
        peer.hostOf = 0;
        peer.pairKind = null;
        boolean mayBeClient = settings.p2pOn() && !peer.registeredHost && !peer.awaitingMedia && !edgeOnly
                && consent != P2pConsent.NONE && !(reachability.mapping() == NatMapping.UNKNOWN && suspected(reachability.publicAddress()));
        Set<PairKind> stopped = mayBeClient ? outcomes.stopped(millis.getAsLong()) : Set.of();
        Search search = mayBeClient
                ? new Search(stream, peer.profile.family(), session, settings.edgeId(), excluded,
                        h -> available(h) && policy.acceptsClients(h) && mayPair(h, reachability, stopped),
                        policy::score)
                : null;
        return new Request(session, peer, releaseFrom, search);
    }

    /** Neither the host nor its edge is on its way out. */
    private boolean available(HostEntry host) {
        return !departedEdges.contains(host.edgeId()) && !leavingHosts.contains(host.hostId());
    }

    /** Whether a relay from {@code host} to a player reachable as {@code client} is tried now. */
    private boolean mayPair(HostEntry host, Reachability client, Set<PairKind> stopped) {
        PairKind kind = PairKind.of(host.reachability(), client, settings.loopbackIsOneNetwork());
        return (kind.predictedToConnect() || settings.tryUnprovenPairs()) && !stopped.contains(kind);
    }

    /** Step two: the registry reserved {@code host} for the player (empty: none, or it did not look). */
    public Plan decide(Request request, Optional<HostEntry> host) {
        Peer peer = request.peer;
        peer.edgeServed = host.isEmpty();
        if (host.isPresent()) {
            peer.hostOf = host.get().hostId();
            peer.pairKind = PairKind.of(host.get().reachability(), peer.reachability, settings.loopbackIsOneNetwork());
            return new Client(peer.hostOf, host.get().edgeId(), peer.pairKind.predictedToConnect());
        }
        if (!settings.p2pOn() || !peer.profile.mayHost() || peer.consent != P2pConsent.HOST || draining
                || peer.trial == Trial.FAILED) {
            return new Edge();
        }
        if (policy.registersHostOnOffer()) {
            return new Host(register(request.session, peer, HostHealth.NEW));
        }
        if (!peer.registeredHost) {
            peer.awaitingMedia = true;
            // A player that does not report its relays may never relay at all (OvenPlayer since 0.10.39): it is
            // tried once its media is up, before any client depends on it.
            if (!peer.reports) {
                peer.trial = Trial.PENDING;
            }
        }
        return new Host(null);
    }

    /** The answer to the player's edge. */
    public P2pApi.Placement answer(Request request, Plan plan) {
        String profile = request.peer.profile.summary();
        return plan instanceof Client c
                ? new P2pApi.Placement(P2pApi.Role.CLIENT, c.host(), c.hostEdge(), profile, c.predicted(), false)
                : new P2pApi.Placement(plan.role(), 0, settings.edgeId(), profile, true,
                        plan instanceof Host && request.peer.trial == Trial.PENDING);
    }

    /** Whether the player left while the registry was answering its request: then what it took is given back. */
    public boolean leftMeanwhile(Request request) {
        return peers.get(request.session) != request.peer;
    }

    /** A player's own edge connection carries media: a host waiting for it (and not for its trial) is registered now. */
    public Optional<HostEntry> mediaConnected(long session) {
        Peer peer = peers.get(session);
        if (peer != null) {
            peer.mediaSinceMillis = millis.getAsLong();
        }
        return peer != null && peer.awaitingMedia && peer.trial != Trial.PENDING && !draining
                ? Optional.ofNullable(register(session, peer, HostHealth.NEW)) : Optional.empty();
    }

    /**
     * A host's trial: it answered a request_offer_p2p of the edge's own after {@code millis} (registered now, that
     * answer counting as its first offer), or never did (it never hosts, and is served by the edge as any viewer).
     */
    public Optional<HostEntry> hostTried(long session, boolean answered, long millis) {
        Peer peer = peers.get(session);
        if (peer == null || peer.trial != Trial.PENDING) {
            return Optional.empty();
        }
        if (!answered) {
            peer.trial = Trial.FAILED;
            peer.awaitingMedia = false;
            return Optional.empty();
        }
        peer.trial = Trial.NONE;
        return peer.awaitingMedia && !draining ? Optional.ofNullable(register(session, peer, HostHealth.NEW.offered(millis)))
                : Optional.empty();
    }

    /**
     * Edge-served players of this edge that might move now (see {@link Regrouping}), those that do not host first:
     * none when regrouping is off or the edge drains. Cheap: the caller reads the registry only when there are some.
     */
    public List<Regrouping.Candidate> regroupCandidates() {
        if (regrouping == null || draining || !settings.p2pOn()) {
            return List.of();
        }
        List<Regrouping.Candidate> candidates = new ArrayList<>();
        long now = millis.getAsLong();
        List<Regrouping.Candidate> hosts = new ArrayList<>();
        peers.forEach((session, peer) -> {
            if (!peer.edgeServed || peer.awaitingMedia) {
                return;
            }
            boolean mayBeClient = !peer.registeredHost && !peer.edgeOnly && peer.consent != P2pConsent.NONE
                    && peer.profile.family() != null;
            Regrouping.Candidate c = new Regrouping.Candidate(session, peer.reports, peer.mediaSinceMillis, peer.lastMovedMillis,
                    mayBeClient ? new Regrouping.NotHosting(peer.stream, peer.profile.family(), peer.reachability, peer.excluded) : null);
            if ((peer.registeredHost || mayBeClient) && regrouping.mayMove(c, now)) {
                (peer.registeredHost ? hosts : candidates).add(c);
            }
        });
        // Players that do not host first: a host may still get clients of its own.
        candidates.addAll(hosts);
        return candidates;
    }

    /**
     * Which of {@code candidates} play from another host now, given the registry's {@code hosts}. The caller moves
     * each in the registry, then calls {@link #moved}.
     */
    public List<Regrouping.Move> regroup(List<Regrouping.Candidate> candidates, List<HostEntry> hosts) {
        if (regrouping == null) {
            return List.of();
        }
        long now = millis.getAsLong();
        Set<PairKind> stopped = outcomes.stopped(now);
        return regrouping.moves(candidates, hosts, (target, mover) -> available(target)
                && policy.acceptsClients(target) && mayPair(target, mover, stopped), now);
    }

    /**
     * The registry moved {@code session} onto {@code to} (its slot there is reserved; a host's own entry is gone): it
     * is that host's client now. Empty when the player left or asked again meanwhile (the caller gives the slot back).
     */
    public Optional<Client> moved(long session, HostEntry to) {
        Peer peer = peers.get(session);
        if (peer == null || !peer.edgeServed) {
            return Optional.empty(); // it left, or asked again meanwhile
        }
        peer.registeredHost = false;
        peer.edgeServed = false;
        peer.hostOf = to.hostId();
        peer.pairKind = PairKind.of(to.reachability(), peer.reachability, settings.loopbackIsOneNetwork());
        peer.lastMovedMillis = millis.getAsLong();
        return Optional.of(new Client(to.hostId(), to.edgeId(), peer.pairKind.predictedToConnect()));
    }

    /**
     * A registered host of this edge reports its relays' upload, on a stream of {@code streamKbps}: its new number of
     * slots when they change (the caller resizes its entry, and moves the clients beyond them).
     */
    public OptionalInt upload(long session, HostCapacity.Upload upload, int streamKbps) {
        Peer peer = peers.get(session);
        if (peer == null || !peer.registeredHost || peer.capacity == null) {
            return OptionalInt.empty();
        }
        return capacity.report(peer.capacity, upload, streamKbps, millis.getAsLong());
    }

    /** What a relay's outcome changes: the host's record ({@code health}, null: nothing learnt), the client's slot. */
    public record RelayResult(HealthEvent health, boolean release) {
    }

    /**
     * What became of the relay from {@code host} to {@code client}, vouched for by {@code witness} at {@code now};
     * {@code millis} after the host was asked. Failed and abandoned relays give the client's slot back.
     */
    public RelayResult relayResult(long host, long client, P2pApi.RelayOutcome outcome, String witness, long now, long millis) {
        HealthEvent event = switch (outcome) {
            case OFFERED -> HealthEvent.offered(millis);
            case CONNECTED -> HealthEvent.relay(witness, true, now);
            case FAILED -> HealthEvent.relay(witness, false, now);
            case HOST_FAILED -> HealthEvent.hostFailed();
            case ABANDONED, GAVE_UP_UNSEEN -> null;
        };
        learn(host, client, outcome);
        boolean ended = outcome == P2pApi.RelayOutcome.FAILED || outcome == P2pApi.RelayOutcome.HOST_FAILED
                || outcome == P2pApi.RelayOutcome.ABANDONED;
        if (ended) {
            relayEnded(host, client);
        }
        return new RelayResult(event, ended);
    }

    /** A relay that connected or failed after its host offered teaches the edge about its kind of pair. */
    private void learn(long host, long client, P2pApi.RelayOutcome outcome) {
        Peer peer = peers.get(client);
        boolean decisive = outcome == P2pApi.RelayOutcome.CONNECTED || outcome == P2pApi.RelayOutcome.FAILED;
        if (decisive && peer != null && peer.hostOf == host && peer.pairKind != null) {
            outcomes.record(peer.pairKind, outcome == P2pApi.RelayOutcome.CONNECTED, millis.getAsLong());
        }
    }

    /**
     * A client that never reports its relay (OvenPlayer) gave up on it soon after answering, from
     * {@code publicAddress}. Nothing proves that relay delivered, and nothing can: such a player says nothing after
     * its answer. If a player of that network asks within {@link #RELOAD_WINDOW_MILLIS} (the viewer reloading a black
     * screen, or the player asking again), the network's unmeasured players play from the edge for the learning
     * cooldown, that one included: a network where such relays fail (Wi-Fi client isolation) costs one viewer one
     * attempt, not every viewer every time.
     */
    public void gaveUpUnseen(String publicAddress) {
        if (publicAddress != null) {
            remember(gaveUpAt, publicAddress, millis.getAsLong());
        }
    }

    /** Whether {@code publicAddress}'s unmeasured players stay off hosts now (a give-up followed by a request marks it). */
    private boolean suspected(String publicAddress) {
        if (publicAddress == null) {
            return false;
        }
        long now = millis.getAsLong();
        Long gaveUp = gaveUpAt.remove(publicAddress);
        if (gaveUp != null && now - gaveUp <= RELOAD_WINDOW_MILLIS) {
            remember(suspectedUntil, publicAddress, now + settings.learning().cooldownMillis());
        }
        Long until = suspectedUntil.get(publicAddress);
        if (until != null && until <= now) {
            suspectedUntil.remove(publicAddress);
            return false;
        }
        return until != null;
    }

    /** Puts {@code address} in a bounded map of times (entries in the past go first when it is full). */
    private void remember(Map<String, Long> times, String address, long value) {
        if (times.size() >= MAX_ADDRESSES) {
            long now = millis.getAsLong();
            times.values().removeIf(t -> t <= now - RELOAD_WINDOW_MILLIS);
        }
        if (times.size() < MAX_ADDRESSES) {
            times.put(address, value);
        }
    }

    /** Kinds of pairs not tried now, because their recent relays failed (status). */
    public Set<PairKind> stoppedPairs() {
        return outcomes.stopped(millis.getAsLong());
    }

    /** A relay from {@code host} to {@code client} failed or was abandoned: the client holds no slot there any more. */
    private void relayEnded(long host, long client) {
        Peer peer = peers.get(client);
        if (peer != null && peer.hostOf == host) {
            peer.hostOf = 0;
        }
    }

    /** A player left: what to give back (empty: classification never saw it). */
    public Optional<Leaving> leave(long session) {
        Peer peer = peers.remove(session);
        if (peer == null) {
            return Optional.empty();
        }
        if (peer.registeredHost) {
            leavingHosts.add(session); // until orphaned(): the registry may still list it
        }
        return Optional.of(new Leaving(peer.hostOf, peer.registeredHost));
    }

    /** A host that left had these clients: they hold no slot on it any more, and its registry entry is gone. */
    public void orphaned(long host, Set<Long> clients) {
        leavingHosts.remove(host);
        clients.forEach(c -> relayEnded(host, c));
    }

    /** This edge takes no new Host Peers. */
    public void drain() {
        draining = true;
    }

    /**
     * Another edge is gone: never place a client on its hosts while the registry's purge is under way (edge ids
     * are never reused: a restarted edge is a new member).
     */
    public void edgeLeft(String edge) {
        departedEdges.add(edge);
    }

    /** Marks the player a registered host and gives its entry, or null when it already is one. */
    private HostEntry register(long session, Peer peer, HostHealth health) {
        if (peer.registeredHost) {
            return null;
        }
        peer.registeredHost = true;
        peer.awaitingMedia = false;
        int slots = settings.maxClientsPerHost();
        if (capacity != null) {
            peer.capacity = capacity.start();
            slots = peer.capacity.slots();
        }
        return new HostEntry(session, settings.edgeId(), peer.stream, peer.profile.family(), slots, Map.of(), health,
                peer.reachability, millis.getAsLong());
    }
}
