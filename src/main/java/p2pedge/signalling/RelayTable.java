package p2pedge.signalling;

import p2pedge.p2p.P2pApi;
import p2pedge.signalling.protocol.EdgeMessages;
import p2pedge.signalling.protocol.ProtocolException;
import p2pedge.webrtc.IceCandidate;
import p2pedge.webrtc.SessionDescription;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The P2P relay lifecycle of one edge as a state machine: events in (a player asks, is placed, a host offers, a
 * client answers or reports, a timer fires, a peer or an edge leaves), {@link RelayAction}s out (send this, arm that
 * timer, classify this client again, report that outcome, count this). Pure: the clock and which players are
 * still connected are injected; {@link RelayCoordinator} turns sockets and edge messages into events and
 * executes the actions. A relay is owned by the edge of its client; the host's edge asks its host to offer as it
 * grants the slot ({@link #slotGranted}) and remembers the pairing ({@code remoteClients}) to check the host's messages.
 */
final class RelayTable {

    private static final Logger LOG = Logger.getLogger(RelayTable.class.getName());
    static final int MAX_DEPARTED_EDGES = 1_024;

    private enum Stage { REQUESTED, OFFERED, ANSWERED, CONNECTED }

    /** Why a client lost its host: counted for monitoring. */
    enum Cause {
        HOST_SILENT("host did not answer request_offer_p2p"),
        CLIENT_SILENT("client did not answer the host's offer"),
        RELAY_FAILED("client reported the relay failed"),
        HOST_STOPPED("host stopped the relay"),
        HOST_GONE("host is gone"),
        HOST_LEFT("host left"),
        HOST_DRAINED("host's edge is draining"),
        HOST_LIMITED("host's upload cannot carry another relay"),
        EDGE_LEFT("host's edge is gone");

        final String text;

        Cause(String text) {
            this.text = text;
        }
    }

    /**
     * The table's settings (from {@code p2p} config): a relay predicted to connect must connect within
     * {@code relayConnectTimeoutMillis} of its host's offer, one tried against the prediction within
     * {@code unprovenRelayTimeoutMillis}. A client that never reports its relay and gives it up within
     * {@code silentGiveUpMillis} of answering (0: never) is reported ({@code GAVE_UP_UNSEEN}). With
     * {@code learnAnswerTimes}, a host's offer is awaited as long as hosts here take ({@link HostAnswerTimes}), at
     * most {@code hostOfferTimeoutMillis}.
     */
    record Rules(long hostOfferTimeoutMillis, long relayConnectTimeoutMillis, long unprovenRelayTimeoutMillis,
                 int maxHostAttemptsPerClient, long pairCooldownMillis, long silentGiveUpMillis, boolean learnAnswerTimes) {
    }

    /** A player's socket: its session id and the edge holding it. */
    record Peer(long session, String edge) {
    }

    /** One relay's identity for timers and late answers: a new relay of the same client is another one. */
    record RelayId(long client, long serial) {
    }

    /** What a failed relay's client gets once its outcome is recorded: placed again, or told to stop. */
    record AfterFailure(long client, long host, boolean beforeOffer) {
    }

    /** One host -> client relay whose client is on this edge. */
    private static final class Relay {
        final RelayId id;
        final Peer host;
        /** The client's IP: its reports on the relay count once per address (see HostReputation). */
        final String clientAddress;
        final long startedNanos;
        /** Predicted to connect (else it has the short bound). */
        final boolean predicted;
        Stage stage = Stage.REQUESTED;
        /** What the armed timer means when it fires. */
        Cause timeout;
        /** When its client answered (nanoseconds; meaningful from stage ANSWERED on). */
        long answeredNanos;
        /** Its client still plays from its edge connection, closed once the relay connects (a regrouping move). */
        boolean keepsEdge;

        Relay(RelayId id, Peer host, String clientAddress, long startedNanos, boolean predicted, boolean keepsEdge) {
            this.id = id;
            this.host = host;
            this.clientAddress = clientAddress;
            this.startedNanos = startedNanos;
            this.predicted = predicted;
            this.keepsEdge = keepsEdge;
        }

        long client() {
            return id.client();
        }

        long hostId() {
            return host.session();
        }
    }

    /**
     * A would-be host's trial: the edge's own request_offer_p2p to it, for {@code peerId}, a peer that does not
     * exist (outside the session id space); its timer is {@code id}. Kept, {@code over}, while the host stays, so
     * that late messages of the host about it are dropped quietly.
     */
    private record Trial(RelayId id, long peerId, long startedNanos, boolean over) {
    }

    /**
     * A relay whose host is on this edge and whose client is on {@code clientEdge}; {@code askedNanos}: when this edge
     * asked the host to offer, whose answer time is learnt here, where it was asked, once ({@code answered}).
     */
    private record RemoteClient(long host, String clientEdge, long askedNanos, boolean answered) {
    }

    private final String edgeId;
    private final Rules rules;
    private final LongSupplier nanos;
    private final LongPredicate online;
    private final PeerCandidateFilter candidateFilter;
    private final PairCooldown cooldown;
    private final ClientsByHost<Relay> relaysByClient = new ClientsByHost<>(Relay::hostId);
    private final ClientsByHost<RemoteClient> remoteClients = new ClientsByHost<>(RemoteClient::host);
    private final Map<Long, Set<Long>> failedHostsByClient = new HashMap<>();
    /** Hosts placed with a trial, until their media is up. */
    private final Set<Long> awaitingTrial = new HashSet<>();
    private final Map<Long, Trial> trialsByHost = new HashMap<>();
    private final HostAnswerTimes answerTimes = new HostAnswerTimes();
    private final EarlyHostMessages early = new EarlyHostMessages();
    /** Peer ids for trials: never a session's. */
    private final LongSupplier trialPeerIds;
    /** Players that report their relay state with {@code stats}: their relays count only once reported. */
    private final Set<Long> reporters = new HashSet<>();
    /** Players that want their next offer unasked after a stop ({@code offer_after_stop}: the project's page). */
    private final Set<Long> offeredAfterStop = new HashSet<>();
    /** Clients told to stop because their host failed or left -> when (failover latency). */
    private final Map<Long, Long> stopSentNanos = new HashMap<>();
    /** Edges announced gone, newest last (edge ids are never reused); bounded, as a restart adds one each time. */
    private final Set<String> departedEdges = new LinkedHashSet<>();
    private long serials;

    /**
     * @param nanos        the clock ({@link System#nanoTime()} in production)
     * @param online       whether a player's socket is on this edge and open
     * @param trialPeerIds peer ids for host trials, outside the session id space
     */
    RelayTable(String edgeId, Rules rules, PeerCandidateFilter candidateFilter, LongSupplier nanos, LongPredicate online,
               LongSupplier trialPeerIds) {
        this.edgeId = edgeId;
        this.trialPeerIds = trialPeerIds;
        this.rules = rules;
        this.nanos = nanos;
        this.online = online;
        this.candidateFilter = candidateFilter;
        this.cooldown = new PairCooldown(rules.pairCooldownMillis(), () -> nanos.getAsLong() / 1_000_000);
    }

    // ---- client side: this edge holds the client's socket ----

    /**
     * One pending offer per client: while its host has been asked to offer and has not yet, a client asking again
     * is refused (each ask would have the host's browser build one more peer connection).
     */
    void checkNoOfferPending(long client) throws ProtocolException {
        Relay relay = relaysByClient.get(client);
        if (relay != null && relay.stage == Stage.REQUESTED) {
            throw new ProtocolException(409, "an offer from peer " + relay.hostId() + " is on its way: wait for it", false);
        }
    }

    /**
     * A player asks for the stream: a relay it still had ends, and that host is not tried again for it during the
     * cooldown; hosts that failed it or are cooling down count towards its host attempts. {@code offerAfterStop}: when
     * its relay ends, it gets the stop and then an offer, unasked.
     */
    List<RelayAction> requestOffer(long client, boolean reports, boolean offerAfterStop) {
        if (reports) {
            reporters.add(client);
        }
        if (offerAfterStop) {
            offeredAfterStop.add(client);
        }
        List<RelayAction> out = new ArrayList<>();
        requestOffer(client, out);
        return out;
    }

    /**
     * Classification placed {@code client} (its socket from {@code clientAddress}) on {@code host}; {@code predicted}:
     * the relay is predicted to connect; {@code keepsEdge}: the client plays from its edge connection meanwhile (it was
     * moved while edge-served), which is closed once the relay connects.
     */
    List<RelayAction> placedOnHost(long client, String clientAddress, Peer host, boolean predicted, boolean keepsEdge) {
        List<RelayAction> out = new ArrayList<>();
        Relay relay = new Relay(new RelayId(client, ++serials), host, clientAddress, nanos.getAsLong(), predicted, keepsEdge);
        relaysByClient.put(client, relay);
        if (departedEdges.contains(host.edge())) {
            // The registry answered from before the host's edge left (a slot reserved while its partitions moved):
            // this relay missed the edge-left sweep, so it gets what the sweep gives, and that host is not tried again.
            failedHostsByClient.computeIfAbsent(client, c -> new HashSet<>()).add(host.session());
            hostLeft(host.session(), client, Cause.EDGE_LEFT, out);
            return out;
        }
        arm(relay, hostOfferBoundMillis(), Cause.HOST_SILENT, out);
        if (host.edge().equals(edgeId)) {
            out.add(new RelayAction.AskHost(relay.id, host.session()));
            return out;
        }
        // Its edge asked the host when it granted the slot (slotGranted); what the host said since may be here already.
        for (EarlyHostMessages.Held m : early.take(client, host.session(), host.edge(), nanos.getAsLong())) {
            if (relaysByClient.get(client) != relay) {
                break; // the host left or stopped
            }
            fromHostEdge(relay, m.kind(), m.sdp(), m.candidates(), out);
        }
        return out;
    }

    /** The host of a relay, on this edge, could not be asked to offer: it is gone. */
    List<RelayAction> hostUnreachable(RelayId id) {
        return failIfCurrent(id, Cause.HOST_GONE);
    }

    /**
     * Classification placed {@code host} as a Host Peer served by this edge; with {@code trial}, it is registered
     * only once it answered a request_offer_p2p of the edge's own, sent when its media is up: a player that never
     * relays (OvenPlayer since 0.10.39) is found out before any client waits on it, and never hosts.
     */
    void placedAsHost(long host, boolean trial) {
        if (trial && !trialsByHost.containsKey(host)) {
            awaitingTrial.add(host);
        }
    }

    /** The relay's timer fired. */
    List<RelayAction> timerFired(RelayId id) {
        Trial trial = trialsByHost.get(id.client());
        if (trial != null && trial.id().equals(id)) {
            List<RelayAction> out = new ArrayList<>();
            trialOver(id.client(), trial, false, out);
            return out;
        }
        Relay relay = relaysByClient.get(id.client());
        return relay == null || !relay.id.equals(id) ? List.of() : failIfCurrent(id, relay.timeout);
    }

    /** answer from a client, for its host {@code peerId}. */
    List<RelayAction> answerFromClient(long client, long peerId, SessionDescription sdp) throws ProtocolException {
        Relay relay = relayOf(peerId, client);
        if (relay.stage != Stage.OFFERED) {
            throw ProtocolException.badRequest("no offer from peer " + peerId + " is waiting for an answer");
        }
        List<RelayAction> out = new ArrayList<>();
        relay.stage = Stage.ANSWERED;
        relay.answeredNanos = nanos.getAsLong();
        out.add(toHost(relay, EdgeMessages.answerP2p(relay.hostId(), client, relayable(sdp, out)), false));
        if (!reporters.contains(client)) {
            // A player that never reports (OvenPlayer): its answer is the last sign we get.
            connected(relay, out);
        }
        return out;
    }

    /** candidate from a client, for its host. */
    List<RelayAction> candidatesFromClient(long client, long peerId, List<IceCandidate> candidates) throws ProtocolException {
        Relay relay = relayOf(peerId, client);
        if (relay.stage == Stage.REQUESTED) {
            // The client answers the host's offer: before it, nothing of the client's may reach the host (so what the
            // host does before offering is its own doing).
            throw ProtocolException.badRequest("no offer from peer " + relay.hostId() + " yet");
        }
        List<RelayAction> out = new ArrayList<>();
        List<IceCandidate> kept = relayable(candidates, out);
        if (!kept.isEmpty()) {
            out.add(toHost(relay, EdgeMessages.peerCandidates("candidate_p2p", relay.hostId(), client, kept), false));
        }
        return out;
    }

    /** A player's {@code stats}: {@code relay} "connected" or another state of its relay with {@code peerId}. */
    List<RelayAction> stats(long player, String relayState, long peerId) throws ProtocolException {
        reporters.add(player);
        if (relayState == null || peerId == 0) {
            return List.of();
        }
        Relay relay = relayOf(peerId, player);
        List<RelayAction> out = new ArrayList<>();
        if (relayState.equals("connected")) {
            if (relay.stage == Stage.REQUESTED || relay.stage == Stage.OFFERED) {
                throw ProtocolException.badRequest("the relay with peer " + relay.hostId() + " has not been answered yet");
            }
            if (relay.stage != Stage.CONNECTED) {
                connected(relay, out); // once per relay
            }
        } else {
            fail(relay, Cause.RELAY_FAILED, out);
        }
        return out;
    }

    /**
     * A player's media is up again (from the edge, or from a host it reported connected): if it had been told to
     * stop because its host failed, that failover is over.
     */
    List<RelayAction> mediaConnected(long session) {
        List<RelayAction> out = new ArrayList<>();
        mediaConnected(session, out);
        return out;
    }

    /** The host a client here plays from, or empty (edge-served, or not placed yet). */
    OptionalLong hostOf(long client) {
        Relay relay = relaysByClient.get(client);
        return relay == null ? OptionalLong.empty() : OptionalLong.of(relay.hostId());
    }

    /** The outcome of a failed relay is recorded: its client (if still here) is placed again or told to stop. */
    List<RelayAction> failureRecorded(AfterFailure failure) {
        if (!online.test(failure.client())) {
            return List.of();
        }
        List<RelayAction> out = new ArrayList<>();
        if (failure.beforeOffer()) {
            requestOffer(failure.client(), out); // it has no offer yet: place it again right away
        } else {
            stop(failure.client(), failure.host(), out);
        }
        return out;
    }

    // ---- host side: this edge holds the host's socket ----

    /** offer_p2p from a host, for its client {@code peerId}. */
    List<RelayAction> offerFromHost(long host, long peerId, SessionDescription sdp, List<IceCandidate> candidates)
            throws ProtocolException {
        List<RelayAction> out = new ArrayList<>();
        Trial trial = trialOf(host, peerId);
        if (trial != null) {
            if (!trial.over()) {
                trialOver(host, trial, true, out);
            }
            return out;
        }
        Relay local = localRelay(host, peerId);
        if (local != null) {
            hostOffered(local, relayable(sdp, out), relayable(candidates, out), out);
            return out;
        }
        RemoteClient remote = remoteClientOf(host, peerId);
        if (!remote.answered()) {
            answerTimes.record((nanos.getAsLong() - remote.askedNanos()) / 1_000_000);
            remoteClients.put(peerId, new RemoteClient(host, remote.clientEdge(), remote.askedNanos(), true));
        }
        out.add(new RelayAction.ToClientEdge(remote.clientEdge(), EdgeLink.OFFER, host, peerId, relayable(sdp, out),
                relayable(candidates, out)));
        return out;
    }

    /** candidate_p2p from a host, for its client. */
    List<RelayAction> candidatesFromHost(long host, long peerId, List<IceCandidate> candidates) throws ProtocolException {
        if (trialOf(host, peerId) != null) {
            return List.of(); // a trial's candidates go nowhere
        }
        Relay local = localRelay(host, peerId);
        RemoteClient remote = local != null ? null : remoteClientOf(host, peerId);
        List<RelayAction> out = new ArrayList<>();
        List<IceCandidate> kept = relayable(candidates, out);
        if (kept.isEmpty()) {
            return out;
        }
        if (local != null) {
            hostCandidates(local, kept, out);
        } else {
            out.add(new RelayAction.ToClientEdge(remote.clientEdge(), EdgeLink.CANDIDATES, host, peerId, null, kept));
        }
        return out;
    }

    /** {@code stop} with a peer_id: one relay ends, the sessions go on. */
    List<RelayAction> stopRelay(long player, long peerId) throws ProtocolException {
        List<RelayAction> out = new ArrayList<>();
        Trial trial = trialOf(player, peerId);
        if (trial != null) {
            if (!trial.over()) {
                trialOver(player, trial, false, out); // it refused its trial
            }
            return out;
        }
        Relay asClient = relaysByClient.get(player);
        if (asClient != null && asClient.hostId() == peerId) {
            endRelayOfClient(player, out);
            return out;
        }
        Relay asHost = localRelay(player, peerId);
        if (asHost != null) {
            fail(asHost, Cause.HOST_STOPPED, out);
            return out;
        }
        RemoteClient remote = remoteClients.get(peerId);
        if (remote == null || remote.host() != player) {
            throw new ProtocolException(400, "peer_id " + peerId + " is not a peer of this session", false);
        }
        remoteClients.remove(peerId);
        out.add(new RelayAction.ToClientEdge(remote.clientEdge(), EdgeLink.HOST_STOPPED, player, peerId, null, null));
        return out;
    }

    // ---- either side ----

    /** A player left (stop, socket closed, timed out): its relay as a client ends, and all it was remembered for. */
    List<RelayAction> sessionClosed(long player) {
        List<RelayAction> out = new ArrayList<>();
        stopSentNanos.remove(player);
        offeredAfterStop.remove(player);
        early.forget(player);
        endRelayOfClient(player, out);
        // Its clients here are re-served now, not once the registry has let it go (hostDeparted finds them done).
        for (Relay relay : relaysByClient.ofHost(player)) {
            hostLeft(player, relay.client(), Cause.HOST_LEFT, out);
        }
        cooldown.forget(player);
        failedHostsByClient.remove(player);
        reporters.remove(player);
        remoteClients.removeHost(player);
        awaitingTrial.remove(player);
        Trial trial = trialsByHost.remove(player);
        if (trial != null && !trial.over()) {
            out.add(new RelayAction.CancelTimer(trial.id()));
        }
        return out;
    }

    /** The edge drains: {@code host} hosts no more, so its edge forgets its remote clients' pairings. */
    void withdrawing(long host) {
        remoteClients.removeHost(host);
    }

    /**
     * A host left the registry with these clients (id -> edge): clients here are re-served at once, other edges are
     * told. {@code tellHost}: the host stays connected (a drain) and is told to stop relaying to each.
     */
    List<RelayAction> hostDeparted(long host, Map<Long, String> clients, Cause cause, boolean tellHost) {
        List<RelayAction> out = new ArrayList<>();
        clients.forEach((clientId, clientEdge) -> {
            if (tellHost) {
                out.add(new RelayAction.ToPlayer(host, EdgeMessages.stop(host, clientId)));
            }
            if (clientEdge.equals(edgeId)) {
                hostLeft(host, clientId, cause, out);
            } else {
                out.add(new RelayAction.ToClientEdge(clientEdge, EdgeLink.HOST_LEFT, host, clientId, null, null));
            }
        });
        return out;
    }

    /** Another edge is gone: its hosts' clients here are re-served, and our hosts drop its clients. */
    List<RelayAction> edgeLeft(String deadEdge) {
        departedEdges.add(deadEdge);
        if (departedEdges.size() > MAX_DEPARTED_EDGES) {
            Iterator<String> oldest = departedEdges.iterator();
            oldest.next();
            oldest.remove();
        }
        List<RelayAction> out = new ArrayList<>();
        for (Relay relay : relaysByClient.values()) {
            if (relay.host.edge().equals(deadEdge)) {
                hostLeft(relay.hostId(), relay.client(), Cause.EDGE_LEFT, out);
            }
        }
        remoteClients.removeIf((client, remote) -> {
            if (!remote.clientEdge().equals(deadEdge)) {
                return false;
            }
            out.add(new RelayAction.ToPlayer(remote.host(), EdgeMessages.stop(remote.host(), client)));
            return true;
        });
        return out;
    }

    /** An edge joined: if it was announced gone (a split that healed), its hosts and clients are welcome again. */
    void edgeJoined(String edge) {
        departedEdges.remove(edge);
    }

    /** Whether {@code edge} was announced gone: it is alive only on the far side of a partition, if at all. */
    boolean hasLeft(String edge) {
        return departedEdges.contains(edge);
    }

    // ---- from other edges ----

    /**
     * A slot of our {@code host} went to {@code client}, a player of {@code clientEdge}: the host is asked to offer now
     * (that edge does not ask). A host gone meanwhile fails the relay at once, as an unreachable host does.
     */
    List<RelayAction> slotGranted(long host, long client, String clientEdge) {
        if (departedEdges.contains(clientEdge)) {
            return List.of(); // its clients were re-served when it left; a relay from here would outlive every check
        }
        if (!online.test(host)) {
            return List.of(new RelayAction.ToClientEdge(clientEdge, EdgeLink.HOST_GONE, host, client, null, null));
        }
        remoteClients.put(client, new RemoteClient(host, clientEdge, nanos.getAsLong(), false));
        return List.of(new RelayAction.ToPlayer(host, EdgeMessages.requestOfferP2p(host, client)));
    }

    /**
     * A client of another edge gave back its slot on our {@code host}: their relay is over, and the host is told so if
     * that edge has not done it (it never heard of the relay when it gave up waiting for the grant).
     */
    List<RelayAction> slotReleased(long host, long client) {
        RemoteClient remote = remoteClients.get(client);
        if (remote == null || remote.host() != host) {
            return List.of();
        }
        remoteClients.remove(client);
        return List.of(new RelayAction.ToPlayer(host, EdgeMessages.stop(host, client)));
    }

    /** A message from a remote client for our host; {@code endsRelay}: the pairing is over. */
    List<RelayAction> toHostFromEdge(long host, long client, String text, boolean endsRelay) {
        RemoteClient remote = remoteClients.get(client);
        if (remote == null || remote.host() != host) {
            return List.of();
        }
        if (endsRelay) {
            remoteClients.remove(client);
        }
        return List.of(new RelayAction.ToPlayer(host, text));
    }

    /**
     * The host's edge passes on what the host said or did (OFFER, CANDIDATES, HOST_STOPPED, HOST_LEFT, HOST_GONE) to a relay of
     * ours. Before the relay is known here (the host answered before the grant reached this edge), it is held.
     */
    List<RelayAction> fromHostEdge(String kind, long host, long client, String fromEdge, SessionDescription sdp,
                                   List<IceCandidate> candidates) {
        Relay relay = relaysByClient.get(client);
        if (relay == null || relay.hostId() != host || !relay.host.edge().equals(fromEdge)) {
            if (online.test(client)) {
                early.hold(new EarlyHostMessages.Held(client, host, fromEdge, kind, sdp, candidates, nanos.getAsLong()));
            }
            return List.of(); // not placed here yet, or the relay ended meanwhile
        }
        List<RelayAction> out = new ArrayList<>();
        fromHostEdge(relay, kind, sdp, candidates, out);
        return out;
    }

    private void fromHostEdge(Relay relay, String kind, SessionDescription sdp, List<IceCandidate> candidates, List<RelayAction> out) {
        switch (kind) {
            case EdgeLink.OFFER -> hostOffered(relay, sdp, candidates, out);
            case EdgeLink.CANDIDATES -> hostCandidates(relay, candidates, out);
            case EdgeLink.HOST_LEFT -> hostLeft(relay.hostId(), relay.client(), Cause.HOST_LEFT, out);
            case EdgeLink.HOST_GONE -> fail(relay, Cause.HOST_GONE, out);
            default -> fail(relay, Cause.HOST_STOPPED, out);
        }
    }

    // ---- internals ----

    private void requestOffer(long client, List<RelayAction> out) {
        classify(client, false, out);
    }

    private void classify(long client, boolean afterStop, List<RelayAction> out) {
        endRelayOfClient(client, out);
        Set<Long> excluded = new HashSet<>(failedHostsByClient.getOrDefault(client, Set.of()));
        excluded.addAll(cooldown.coolingHosts(client));
        out.add(new RelayAction.Classify(client, excluded, excluded.size() >= rules.maxHostAttemptsPerClient(),
                reporters.contains(client), afterStop));
    }

    /**
     * What of a peer's candidates may reach the other peer (filtered where they enter the edge, before crossing to
     * another edge): nothing aimed at the receiver's own machine or network. Drops are counted by reason.
     */
    private List<IceCandidate> relayable(List<IceCandidate> candidates, List<RelayAction> out) {
        return candidateFilter.keep(candidates, reason -> out.add(new RelayAction.CandidateDropped(reason)));
    }

    /** A peer's SDP without the {@code a=candidate} lines the filter rejects. */
    private SessionDescription relayable(SessionDescription sdp, List<RelayAction> out) {
        PeerCandidateFilter.FilteredSdp filtered = candidateFilter.filterSdp(sdp.sdp());
        if (filtered.dropped().isEmpty()) {
            return sdp;
        }
        filtered.dropped().forEach(reason -> out.add(new RelayAction.CandidateDropped(reason)));
        return new SessionDescription(sdp.type(), filtered.sdp());
    }

    /** The relay of {@code client}, if its host is {@code host} and connected to this edge too. */
    private Relay localRelay(long host, long client) {
        Relay relay = relaysByClient.get(client);
        return relay != null && relay.hostId() == host && relay.host.edge().equals(edgeId) ? relay : null;
    }

    private void hostOffered(Relay relay, SessionDescription sdp, List<IceCandidate> candidates, List<RelayAction> out) {
        if (relay.stage != Stage.REQUESTED) {
            return; // a second offer for the same relay: ignore it
        }
        relay.stage = Stage.OFFERED;
        if (relay.host.edge().equals(edgeId)) {
            // A host of another edge is timed there, from its ask; here only the placement's arrival is known, a hop
            // later (and an offer that overtook it would count as 0 ms).
            answerTimes.record(elapsedMillis(relay));
        }
        out.add(report(relay, P2pApi.RelayOutcome.OFFERED, null));
        // The client must answer (and connect, when it reports) within the relay timeout: a short one for a pair
        // tried against the prediction, so that a relay that cannot connect costs its client little.
        arm(relay, relay.predicted ? rules.relayConnectTimeoutMillis() : rules.unprovenRelayTimeoutMillis(), Cause.CLIENT_SILENT, out);
        out.add(new RelayAction.ToPlayer(relay.client(), EdgeMessages.offer(relay.client(), relay.hostId(), sdp, candidates, List.of())));
    }

    private void hostCandidates(Relay relay, List<IceCandidate> candidates, List<RelayAction> out) {
        out.add(new RelayAction.ToPlayer(relay.client(),
                EdgeMessages.peerCandidates("candidate", relay.client(), relay.hostId(), candidates)));
    }

    private static RelayAction.ToHost toHost(Relay relay, String text, boolean endsRelay) {
        return new RelayAction.ToHost(relay.host, relay.client(), text, endsRelay);
    }

    /** The relay whose host is {@code host} and client is {@code client}, or a 400: never relay to a stranger. */
    private Relay relayOf(long host, long client) throws ProtocolException {
        Relay relay = relaysByClient.get(client);
        if (relay == null || relay.hostId() != host) {
            throw notPaired(host, client);
        }
        return relay;
    }

    private RemoteClient remoteClientOf(long host, long client) throws ProtocolException {
        RemoteClient remote = remoteClients.get(client);
        if (remote == null || remote.host() != host) {
            throw notPaired(host, client);
        }
        return remote;
    }

    private static ProtocolException notPaired(long host, long client) {
        return new ProtocolException(400, "peer_id does not name a paired peer (host " + host + ", client " + client + ")", false);
    }

    private void connected(Relay relay, List<RelayAction> out) {
        out.add(new RelayAction.RelayConnected());
        if (relay.keepsEdge) {
            relay.keepsEdge = false;
            out.add(new RelayAction.ReleaseEdge(relay.client()));
        }
        mediaConnected(relay.client(), out);
        out.add(new RelayAction.CancelTimer(relay.id));
        relay.stage = Stage.CONNECTED;
        failedHostsByClient.remove(relay.client());
        out.add(report(relay, P2pApi.RelayOutcome.CONNECTED, null));
    }

    private void mediaConnected(long session, List<RelayAction> out) {
        Long stopped = stopSentNanos.remove(session);
        if (stopped != null) {
            out.add(new RelayAction.FailedOver(nanos.getAsLong() - stopped));
        }
        if (awaitingTrial.remove(session)) {
            // It has something to relay now: the trial asks it as a client would, and must be answered as soon.
            Trial trial = new Trial(new RelayId(session, ++serials), trialPeerIds.getAsLong(), nanos.getAsLong(), false);
            trialsByHost.put(session, trial);
            out.add(new RelayAction.ToPlayer(session, EdgeMessages.requestOfferP2p(session, trial.peerId())));
            out.add(new RelayAction.ArmTimer(trial.id(), rules.hostOfferTimeoutMillis()));
        }
    }

    /** The running or finished trial of {@code host} for {@code peerId}, if that is one. */
    private Trial trialOf(long host, long peerId) {
        Trial trial = trialsByHost.get(host);
        return trial != null && trial.peerId() == peerId ? trial : null;
    }

    /** A trial ends: the host is told to drop the connection it made for it (if any), classification learns how it went. */
    private void trialOver(long host, Trial trial, boolean answered, List<RelayAction> out) {
        trialsByHost.put(host, new Trial(trial.id(), trial.peerId(), trial.startedNanos(), true));
        out.add(new RelayAction.CancelTimer(trial.id()));
        out.add(new RelayAction.ToPlayer(host, EdgeMessages.stop(host, trial.peerId())));
        long millis = (nanos.getAsLong() - trial.startedNanos()) / 1_000_000;
        if (answered) {
            answerTimes.record(millis);
        }
        LOG.fine(() -> "host " + host + (answered ? " answered its trial after " + millis + " ms" : " stayed silent in its trial"));
        out.add(new RelayAction.HostTried(host, answered, millis));
    }

    /** The host of a client here is gone: serve the client at once, or tell it to ask again. */
    private void hostLeft(long hostId, long clientId, Cause cause, List<RelayAction> out) {
        Relay relay = relaysByClient.get(clientId);
        if (relay == null || relay.hostId() != hostId) {
            return;
        }
        relaysByClient.remove(clientId);
        out.add(new RelayAction.CancelTimer(relay.id));
        if (!online.test(clientId)) {
            return;
        }
        out.add(new RelayAction.Replaced(cause));
        if (relay.stage == Stage.REQUESTED) {
            // No offer reached it yet: a "host left" stop would break OvenPlayer; serve it now.
            requestOffer(clientId, out);
        } else {
            stop(clientId, hostId, out);
        }
    }

    /** The client is told its relay from {@code hostId} is over: it asks again, or is served unasked if it said so. */
    private void stop(long clientId, long hostId, List<RelayAction> out) {
        stopSentNanos.put(clientId, nanos.getAsLong());
        if (offeredAfterStop.contains(clientId)) {
            out.add(new RelayAction.ToPlayer(clientId, EdgeMessages.stopOfferFollows(clientId, hostId)));
            classify(clientId, true, out);
        } else {
            out.add(new RelayAction.ToPlayer(clientId, EdgeMessages.stop(clientId, hostId)));
        }
    }

    private List<RelayAction> failIfCurrent(RelayId id, Cause cause) {
        Relay relay = relaysByClient.get(id.client());
        if (relay == null || !relay.id.equals(id)) {
            return List.of();
        }
        List<RelayAction> out = new ArrayList<>();
        fail(relay, cause, out);
        return out;
    }

    /** The relay failed: count it against the host, drop it, and get the client served once that is recorded. */
    private void fail(Relay relay, Cause cause, List<RelayAction> out) {
        out.add(new RelayAction.Replaced(cause));
        relaysByClient.remove(relay.client());
        out.add(new RelayAction.CancelTimer(relay.id));
        LOG.info(() -> "relay " + relay.hostId() + " -> " + relay.client() + " failed after " + elapsedMillis(relay)
                + " ms: " + cause.text);
        failedHostsByClient.computeIfAbsent(relay.client(), c -> new HashSet<>()).add(relay.hostId());
        if (cause != Cause.HOST_STOPPED && cause != Cause.HOST_GONE) {
            out.add(toHost(relay, EdgeMessages.stop(relay.hostId(), relay.client()), true));
        }
        out.add(report(relay, outcomeOf(relay.stage, cause),
                new AfterFailure(relay.client(), relay.hostId(), relay.stage == Stage.REQUESTED)));
    }

    /**
     * Who is to blame for a failed relay, as far as the edge can tell: before the host offered, only the host could
     * act (or the client gave up, which says nothing about the host); after it, the client's word or silence, or the
     * host stopping a relay the client may have sabotaged, count as one witness's report.
     */
    private static P2pApi.RelayOutcome outcomeOf(Stage stage, Cause cause) {
        return switch (cause) {
            case HOST_SILENT, HOST_GONE -> P2pApi.RelayOutcome.HOST_FAILED;
            case HOST_STOPPED -> stage == Stage.REQUESTED ? P2pApi.RelayOutcome.HOST_FAILED : P2pApi.RelayOutcome.FAILED;
            case RELAY_FAILED -> stage == Stage.REQUESTED ? P2pApi.RelayOutcome.ABANDONED : P2pApi.RelayOutcome.FAILED;
            default -> P2pApi.RelayOutcome.FAILED; // CLIENT_SILENT; fail() is not called for departures
        };
    }

    private RelayAction.Report report(Relay relay, P2pApi.RelayOutcome outcome, AfterFailure then) {
        return new RelayAction.Report(relay.hostId(), relay.client(), relay.clientAddress, outcome, elapsedMillis(relay), then);
    }

    /** Drops the relay where {@code clientId} is the client (it gave up on it, or left) and tells its host. */
    private void endRelayOfClient(long clientId, List<RelayAction> out) {
        Relay relay = relaysByClient.remove(clientId);
        if (relay != null) {
            cooldown.start(clientId, relay.hostId());
            out.add(new RelayAction.CancelTimer(relay.id));
            out.add(toHost(relay, EdgeMessages.stop(relay.hostId(), clientId), true));
            boolean answered = relay.stage == Stage.ANSWERED || relay.stage == Stage.CONNECTED;
            if (answered && !reporters.contains(clientId)
                    && nanos.getAsLong() - relay.answeredNanos < rules.silentGiveUpMillis() * 1_000_000) {
                // A client that never says how its relay went (OvenPlayer) and gives up on it soon after answering
                // (reloads, asks again): the one sign the edge gets that the relay may never have delivered.
                out.add(report(relay, P2pApi.RelayOutcome.GAVE_UP_UNSEEN, null));
            }
        }
    }

    /** How long a client waits for its host's offer now. */
    long hostOfferBoundMillis() {
        return rules.learnAnswerTimes() ? answerTimes.bound(rules.hostOfferTimeoutMillis()) : rules.hostOfferTimeoutMillis();
    }

    private void arm(Relay relay, long millis, Cause cause, List<RelayAction> out) {
        relay.timeout = cause;
        out.add(new RelayAction.ArmTimer(relay.id, millis));
    }

    private long elapsedMillis(Relay relay) {
        return (nanos.getAsLong() - relay.startedNanos) / 1_000_000;
    }
}
