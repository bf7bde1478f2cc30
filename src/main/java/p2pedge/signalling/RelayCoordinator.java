package p2pedge.signalling;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import p2pedge.config.EdgeConfig;
import p2pedge.metrics.EdgeMetrics;
import p2pedge.p2p.P2pApi;
import p2pedge.signalling.protocol.EdgeMessages;
import p2pedge.signalling.protocol.PlayerMessage;
import p2pedge.signalling.protocol.ProtocolException;
import p2pedge.webrtc.IceCandidate;
import p2pedge.webrtc.SessionDescription;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.logging.Logger;

/**
 * P2P Delivery on the signalling side: places each new player through the classification verticle, carries
 * the offer/answer/candidates between a Host Peer and its Client Peers (checking every {@code peer_id}),
 * gives up on hosts that stay silent or whose relay fails, and re-serves the clients of a host that leaves.
 * A relay is owned by the edge of its client; when the host's socket is on another edge of the cluster, its
 * messages travel through {@link EdgeLink}, and the host's edge remembers the pairing to check the host's
 * messages. Confined to the signalling verticle's event loop.
 */
final class RelayCoordinator {

    private static final Logger LOG = Logger.getLogger(RelayCoordinator.class.getName());

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
        EDGE_LEFT("host's edge is gone");

        final String text;

        Cause(String text) {
            this.text = text;
        }
    }

    /** One host -> client relay whose client is on this edge. */
    private static final class Relay {
        final long host;
        final String hostEdge;
        final long client;
        /** The client's IP: its reports on the relay count once per address (see HostReputation). */
        final String clientAddress;
        final long startedNanos = System.nanoTime();
        Stage stage = Stage.REQUESTED;
        long timer = -1;

        Relay(long host, String hostEdge, long client, String clientAddress) {
            this.host = host;
            this.hostEdge = hostEdge;
            this.client = client;
            this.clientAddress = clientAddress;
        }

        long elapsedMillis() {
            return (System.nanoTime() - startedNanos) / 1_000_000;
        }
    }

    /** A relay whose host is on this edge and whose client is on {@code clientEdge}. */
    private record RemoteClient(long host, String clientEdge) {
    }

    private final Vertx vertx;
    private final EdgeConfig.P2p config;
    private final P2pApi p2p;
    private final EdgeLink link;
    private final LongFunction<PlayerSession> sessions;
    private final Map<Long, Relay> relaysByClient = new HashMap<>();
    private final Map<Long, RemoteClient> remoteClients = new HashMap<>();
    private final Map<Long, Set<Long>> failedHostsByClient = new HashMap<>();
    /** Players that report their relay state with {@code stats}: their relays count only once reported. */
    private final Set<Long> reporters = new HashSet<>();
    private long placements;
    private long relaysConnected;
    private final EnumMap<Cause, Long> replacements = new EnumMap<>(Cause.class);
    private final EdgeMetrics metrics;
    /** Clients told to stop because their host failed or left -> when (failover latency). */
    private final Map<Long, Long> stopSentNanos = new HashMap<>();
    private final PeerCandidateFilter candidateFilter;
    private final PairCooldown cooldown;

    RelayCoordinator(Vertx vertx, EdgeConfig.P2p config, P2pApi p2p, EdgeLink link, LongFunction<PlayerSession> sessions,
                     EdgeMetrics metrics) {
        this.metrics = metrics;
        this.vertx = vertx;
        this.config = config;
        this.p2p = p2p;
        this.link = link;
        this.sessions = sessions;
        this.candidateFilter = new PeerCandidateFilter(config.allowLoopbackCandidates());
        this.cooldown = new PairCooldown(config.pairCooldownMillis(), () -> System.nanoTime() / 1_000_000);
    }

    // ---- client side: this edge holds the client's socket ----

    /**
     * One pending offer per client: while its host has been asked to offer and has not yet, a client asking again
     * is refused (each ask would have the host's browser build one more peer connection).
     */
    void checkNoOfferPending(PlayerSession player) throws ProtocolException {
        Relay relay = relaysByClient.get(player.id());
        if (relay != null && relay.stage == Stage.REQUESTED) {
            throw new ProtocolException(409, "an offer from peer " + relay.host + " is on its way: wait for it", false);
        }
    }

    /**
     * A player asks for the stream: place it on a host, or have the edge serve it. A relay it still had ends, and
     * that host is not tried again for it during the cooldown; hosts that failed it or are cooling down count
     * towards its host attempts.
     */
    void requestOffer(PlayerSession player) {
        endRelayOfClient(player.id());
        Set<Long> excluded = new HashSet<>(failedHostsByClient.getOrDefault(player.id(), Set.of()));
        excluded.addAll(cooldown.coolingHosts(player.id()));
        boolean edgeOnly = excluded.size() >= config.maxHostAttemptsPerClient();
        p2p.classify(player.id(), player.stream(), player.userAgent(), excluded, edgeOnly).onComplete(ar -> {
            if (!player.isOpen()) {
                return;
            }
            if (ar.failed()) {
                // Never leave a viewer without video because placement failed.
                LOG.warning("session " + player.id() + ": classification failed, serving from the edge: " + ar.cause().getMessage());
                metrics.placed("edge");
                player.serveFromEdge(P2pApi.Role.EDGE);
                return;
            }
            P2pApi.Placement placement = ar.result();
            metrics.placed(placement.role().name().toLowerCase(Locale.ROOT));
            if (placement.role() != P2pApi.Role.CLIENT) {
                player.serveFromEdge(placement.role());
                return;
            }
            Relay relay = new Relay(placement.hostId(), placement.hostEdge(), player.id(), player.remoteAddress());
            relaysByClient.put(player.id(), relay);
            player.becomeClient(placement.hostId());
            placements++;
            arm(relay, config.hostOfferTimeoutMillis(), Cause.HOST_SILENT);
            LOG.fine(() -> "session " + player.id() + " (" + placement.profile() + ") placed on host " + relay.host
                    + (isLocal(relay) ? "" : " on edge " + relay.hostEdge));
            if (isLocal(relay)) {
                PlayerSession host = sessions.apply(relay.host);
                if (host == null || !host.isOpen()) {
                    fail(relay, Cause.HOST_GONE);
                } else {
                    host.send(EdgeMessages.requestOfferP2p(relay.host, relay.client));
                }
            } else {
                link.request(relay.hostEdge, EdgeLink.HOST_REQUEST, relay.host, relay.client, new JsonObject())
                        .onFailure(t -> fail(relay, Cause.HOST_GONE));
            }
        });
    }

    /** answer from a client, for its host {@code peer_id}. */
    void answerFromClient(PlayerSession client, PlayerMessage.Answer answer) throws ProtocolException {
        Relay relay = relayOf(answer.peerId(), client.id());
        if (relay.stage != Stage.OFFERED) {
            throw ProtocolException.badRequest("no offer from peer " + answer.peerId() + " is waiting for an answer");
        }
        relay.stage = Stage.ANSWERED;
        toHost(relay, EdgeMessages.answerP2p(relay.host, client.id(), relayable(answer.sdp())), false);
        if (!reporters.contains(client.id())) {
            // A player that never reports (OvenPlayer): its answer is the last sign we get.
            connected(relay);
        }
    }

    /** candidate from a client, for its host. */
    void candidatesFromClient(PlayerSession client, PlayerMessage.Candidates message) throws ProtocolException {
        Relay relay = relayOf(message.peerId(), client.id());
        if (relay.stage == Stage.REQUESTED) {
            // The client answers the host's offer: before it, nothing of the client's may reach the host (so what the
            // host does before offering is its own doing).
            throw ProtocolException.badRequest("no offer from peer " + relay.host + " yet");
        }
        List<IceCandidate> candidates = relayable(message.candidates());
        if (!candidates.isEmpty()) {
            toHost(relay, EdgeMessages.peerCandidates("candidate_p2p", relay.host, client.id(), candidates), false);
        }
    }

    void stats(PlayerSession player, PlayerMessage.Stats stats) throws ProtocolException {
        reporters.add(player.id());
        if (stats.kbps() != null && player.role() == P2pApi.Role.HOST) {
            p2p.report(player.id(), stats.kbps());
        }
        if (stats.relay() == null || stats.peerId() == 0) {
            return;
        }
        Relay relay = relayOf(stats.peerId(), player.id());
        if (stats.relay().equals("connected")) {
            if (relay.stage == Stage.REQUESTED || relay.stage == Stage.OFFERED) {
                throw ProtocolException.badRequest("the relay with peer " + relay.host + " has not been answered yet");
            }
            if (relay.stage != Stage.CONNECTED) {
                connected(relay); // once per relay
            }
        } else {
            fail(relay, Cause.RELAY_FAILED);
        }
    }

    // ---- host side: this edge holds the host's socket ----

    /** offer_p2p from a host, for its client {@code peer_id}. */
    void offerFromHost(PlayerSession host, PlayerMessage.OfferP2p offer) throws ProtocolException {
        Relay local = relaysByClient.get(offer.peerId());
        if (local != null && local.host == host.id() && isLocal(local)) {
            hostOffered(local, relayable(offer.sdp()), relayable(offer.candidates()));
            return;
        }
        RemoteClient remote = remoteClientOf(host.id(), offer.peerId());
        link.send(remote.clientEdge(), EdgeLink.OFFER, host.id(), offer.peerId(), new JsonObject()
                .put("sdp", relayable(offer.sdp()).toJson()).put("candidates", encode(relayable(offer.candidates()))));
    }

    /** candidate_p2p from a host, for its client. */
    void candidatesFromHost(PlayerSession host, PlayerMessage.CandidateP2p message) throws ProtocolException {
        Relay local = relaysByClient.get(message.peerId());
        boolean isLocal = local != null && local.host == host.id() && isLocal(local);
        RemoteClient remote = isLocal ? null : remoteClientOf(host.id(), message.peerId());
        List<IceCandidate> candidates = relayable(message.candidates());
        if (candidates.isEmpty()) {
            return;
        }
        if (isLocal) {
            hostCandidates(local, candidates);
        } else {
            link.send(remote.clientEdge(), EdgeLink.CANDIDATES, host.id(), message.peerId(),
                    new JsonObject().put("candidates", encode(candidates)));
        }
    }

    /** {@code stop} with a peer_id: one relay ends, the sessions go on. */
    void stopRelay(PlayerSession player, long peerId) throws ProtocolException {
        Relay asClient = relaysByClient.get(player.id());
        if (asClient != null && asClient.host == peerId) {
            endRelayOfClient(player.id());
            return;
        }
        Relay asHost = relaysByClient.get(peerId);
        if (asHost != null && asHost.host == player.id() && isLocal(asHost)) {
            fail(asHost, Cause.HOST_STOPPED);
            return;
        }
        RemoteClient remote = remoteClients.get(peerId);
        if (remote == null || remote.host() != player.id()) {
            throw new ProtocolException(400, "peer_id " + peerId + " is not a peer of this session", false);
        }
        remoteClients.remove(peerId);
        link.send(remote.clientEdge(), EdgeLink.HOST_STOPPED, player.id(), peerId, new JsonObject());
    }

    // ---- either side ----

    /** A player left (stop, socket closed, timed out): free its slot, re-serve its clients at once. */
    void sessionClosed(PlayerSession player) {
        stopSentNanos.remove(player.id());
        endRelayOfClient(player.id());
        cooldown.forget(player.id());
        failedHostsByClient.remove(player.id());
        reporters.remove(player.id());
        remoteClients.values().removeIf(r -> r.host() == player.id());
        p2p.leave(player.id()).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warning("session " + player.id() + ": leave failed: " + ar.cause().getMessage());
                return;
            }
            ar.result().clients().forEach((clientId, clientEdge) -> {
                if (clientEdge.equals(link.edgeId())) {
                    hostLeft(player.id(), clientId, Cause.HOST_LEFT);
                } else {
                    link.send(clientEdge, EdgeLink.HOST_LEFT, player.id(), clientId, new JsonObject());
                }
            });
        });
    }

    /**
     * The edge drains: {@code host} stays edge-served but hosts no more; it is told to stop relaying, and its
     * clients, here or on other edges, are placed again at once. Completes with how many clients it had.
     */
    Future<Integer> withdraw(PlayerSession host) {
        remoteClients.values().removeIf(r -> r.host() == host.id());
        return p2p.leave(host.id()).map(departure -> {
            departure.clients().forEach((clientId, clientEdge) -> {
                host.send(EdgeMessages.stop(host.id(), clientId));
                if (clientEdge.equals(link.edgeId())) {
                    hostLeft(host.id(), clientId, Cause.HOST_DRAINED);
                } else {
                    link.send(clientEdge, EdgeLink.HOST_LEFT, host.id(), clientId, new JsonObject());
                }
            });
            return departure.clients().size();
        });
    }

    /** The host a client here plays from, or empty (edge-served, or not placed yet). */
    OptionalLong hostOf(long clientId) {
        Relay relay = relaysByClient.get(clientId);
        return relay == null ? OptionalLong.empty() : OptionalLong.of(relay.host);
    }

    /** Another edge is gone: its hosts' clients here are re-served, and our hosts drop its clients. */
    void edgeLeft(String deadEdge) {
        for (Relay relay : new ArrayList<>(relaysByClient.values())) {
            if (relay.hostEdge.equals(deadEdge)) {
                hostLeft(relay.host, relay.client, Cause.EDGE_LEFT);
            }
        }
        remoteClients.entrySet().removeIf(e -> {
            if (!e.getValue().clientEdge().equals(deadEdge)) {
                return false;
            }
            PlayerSession host = sessions.apply(e.getValue().host());
            if (host != null) {
                host.send(EdgeMessages.stop(e.getValue().host(), e.getKey()));
            }
            return true;
        });
    }

    /** A message from another edge's signalling about a relay that crosses edges. */
    void onEdgeMessage(Message<JsonObject> message) {
        JsonObject body = message.body();
        long host = body.getLong("host");
        long client = body.getLong("client");
        String kind = body.getString("kind");
        switch (kind) {
            case EdgeLink.HOST_REQUEST -> {
                PlayerSession session = sessions.apply(host);
                if (session == null || !session.isOpen()) {
                    message.fail(404, "host " + host + " is not on this edge");
                    return;
                }
                remoteClients.put(client, new RemoteClient(host, body.getString("from")));
                session.send(EdgeMessages.requestOfferP2p(host, client));
                message.reply(null);
            }
            case EdgeLink.TO_HOST -> {
                RemoteClient remote = remoteClients.get(client);
                PlayerSession session = sessions.apply(host);
                if (remote != null && remote.host() == host && session != null) {
                    session.send(body.getString("text"));
                    if (body.getBoolean("end", false)) {
                        remoteClients.remove(client);
                    }
                }
            }
            case EdgeLink.OFFER, EdgeLink.CANDIDATES, EdgeLink.HOST_STOPPED -> {
                Relay relay = relaysByClient.get(client);
                if (relay == null || relay.host != host || !relay.hostEdge.equals(body.getString("from"))) {
                    return; // the relay ended meanwhile
                }
                if (kind.equals(EdgeLink.OFFER)) {
                    JsonObject sdp = body.getJsonObject("sdp");
                    hostOffered(relay, new SessionDescription(sdp.getString("type"), sdp.getString("sdp")),
                            decode(body.getJsonArray("candidates")));
                } else if (kind.equals(EdgeLink.CANDIDATES)) {
                    hostCandidates(relay, decode(body.getJsonArray("candidates")));
                } else {
                    fail(relay, Cause.HOST_STOPPED);
                }
            }
            case EdgeLink.HOST_LEFT -> hostLeft(host, client, Cause.HOST_LEFT);
            default -> LOG.warning("unknown edge message " + kind);
        }
    }

    /** Counters since start: placements on hosts, relays connected, clients re-placed by cause. */
    JsonObject counters() {
        JsonObject byCause = new JsonObject();
        for (Cause cause : Cause.values()) {
            byCause.put(cause.name().toLowerCase(Locale.ROOT), replacements.getOrDefault(cause, 0L));
        }
        return new JsonObject().put("placementsOnHosts", placements)
                .put("relaysConnected", relaysConnected).put("replacements", byCause);
    }

    // ---- internals ----

    /**
     * What of a peer's candidates may reach the other peer (filtered where they enter the edge, before crossing to
     * another edge): nothing aimed at the receiver's own machine or network. Drops are counted by reason.
     */
    private List<IceCandidate> relayable(List<IceCandidate> candidates) {
        return candidateFilter.keep(candidates, reason -> metrics.peerCandidateDropped(reason.label()));
    }

    /** A peer's SDP without the {@code a=candidate} lines the filter rejects. */
    private SessionDescription relayable(SessionDescription sdp) {
        PeerCandidateFilter.FilteredSdp filtered = candidateFilter.filterSdp(sdp.sdp());
        if (filtered.dropped().isEmpty()) {
            return sdp;
        }
        filtered.dropped().forEach(reason -> metrics.peerCandidateDropped(reason.label()));
        return new SessionDescription(sdp.type(), filtered.sdp());
    }

    private boolean isLocal(Relay relay) {
        return relay.hostEdge.equals(link.edgeId());
    }

    private void hostOffered(Relay relay, SessionDescription sdp, List<IceCandidate> candidates) {
        if (relay.stage != Stage.REQUESTED) {
            return; // a second offer for the same relay: ignore it
        }
        PlayerSession client = sessions.apply(relay.client);
        relay.stage = Stage.OFFERED;
        p2p.relayResult(relay.host, relay.client, relay.clientAddress, P2pApi.RelayOutcome.OFFERED, relay.elapsedMillis())
                .onFailure(t -> LOG.fine(() -> "host " + relay.host + ": recording its offer failed: " + t.getMessage()));
        // The client must answer (and connect, when it reports) within the relay timeout.
        arm(relay, config.relayConnectTimeoutMillis(), Cause.CLIENT_SILENT);
        client.send(EdgeMessages.offer(relay.client, relay.host, sdp, candidates, List.of()));
    }

    private void hostCandidates(Relay relay, List<IceCandidate> candidates) {
        sessions.apply(relay.client).send(EdgeMessages.peerCandidates("candidate", relay.client, relay.host, candidates));
    }

    /** Sends the host of a relay a message, wherever its socket is. */
    private void toHost(Relay relay, String text, boolean endsRelay) {
        if (isLocal(relay)) {
            PlayerSession host = sessions.apply(relay.host);
            if (host != null && host.isOpen()) {
                host.send(text);
            }
        } else {
            link.send(relay.hostEdge, EdgeLink.TO_HOST, relay.host, relay.client,
                    new JsonObject().put("text", text).put("end", endsRelay));
        }
    }

    /** The relay whose host is {@code host} and client is {@code client}, or a 400: never relay to a stranger. */
    private Relay relayOf(long host, long client) throws ProtocolException {
        Relay relay = relaysByClient.get(client);
        if (relay == null || relay.host != host) {
            throw new ProtocolException(400, "peer_id does not name a paired peer (host " + host + ", client " + client + ")", false);
        }
        return relay;
    }

    private RemoteClient remoteClientOf(long host, long client) throws ProtocolException {
        RemoteClient remote = remoteClients.get(client);
        if (remote == null || remote.host() != host) {
            throw new ProtocolException(400, "peer_id does not name a paired peer (host " + host + ", client " + client + ")", false);
        }
        return remote;
    }

    private void connected(Relay relay) {
        relaysConnected++;
        mediaConnected(relay.client);
        vertx.cancelTimer(relay.timer);
        relay.stage = Stage.CONNECTED;
        failedHostsByClient.remove(relay.client);
        p2p.relayResult(relay.host, relay.client, relay.clientAddress, P2pApi.RelayOutcome.CONNECTED, relay.elapsedMillis())
                .onFailure(t -> LOG.fine(() -> "host " + relay.host + ": recording a relay failed: " + t.getMessage()));
    }

    /** The host of a client here is gone: serve the client at once, or tell it to ask again. */
    private void hostLeft(long hostId, long clientId, Cause cause) {
        Relay relay = relaysByClient.get(clientId);
        if (relay == null || relay.host != hostId) {
            return;
        }
        relaysByClient.remove(clientId);
        vertx.cancelTimer(relay.timer);
        PlayerSession client = sessions.apply(clientId);
        if (client == null || !client.isOpen()) {
            return;
        }
        replaced(cause);
        if (relay.stage == Stage.REQUESTED) {
            // No offer reached it yet: a "host left" stop would break OvenPlayer; serve it now.
            requestOffer(client);
        } else {
            stopSentNanos.put(clientId, System.nanoTime());
            client.send(EdgeMessages.stop(clientId, hostId));
        }
    }

    /** The relay failed: count it against the host, drop it, and get the client served at once. */
    private void fail(Relay relay, Cause cause) {
        if (relaysByClient.get(relay.client) != relay) {
            return;
        }
        replaced(cause);
        relaysByClient.remove(relay.client);
        vertx.cancelTimer(relay.timer);
        LOG.info(() -> "relay " + relay.host + " -> " + relay.client + " failed after " + relay.elapsedMillis() + " ms: " + cause.text);
        failedHostsByClient.computeIfAbsent(relay.client, c -> new HashSet<>()).add(relay.host);
        if (cause != Cause.HOST_STOPPED && cause != Cause.HOST_GONE) {
            toHost(relay, EdgeMessages.stop(relay.host, relay.client), true);
        }
        PlayerSession client = sessions.apply(relay.client);
        p2p.relayResult(relay.host, relay.client, relay.clientAddress, outcomeOf(relay, cause), relay.elapsedMillis()).onComplete(ar -> {
            if (client == null || !client.isOpen()) {
                return;
            }
            if (relay.stage == Stage.REQUESTED) {
                requestOffer(client); // it has no offer yet: place it again right away
            } else {
                stopSentNanos.put(relay.client, System.nanoTime());
                client.send(EdgeMessages.stop(relay.client, relay.host)); // it re-asks with request_offer
            }
        });
    }

    /**
     * Who is to blame for a failed relay, as far as the edge can tell: before the host offered, only the host could
     * act (or the client gave up, which says nothing about the host); after it, the client's word or silence, or the
     * host stopping a relay the client may have sabotaged, count as one witness's report.
     */
    private static P2pApi.RelayOutcome outcomeOf(Relay relay, Cause cause) {
        return switch (cause) {
            case HOST_SILENT, HOST_GONE -> P2pApi.RelayOutcome.HOST_FAILED;
            case HOST_STOPPED -> relay.stage == Stage.REQUESTED ? P2pApi.RelayOutcome.HOST_FAILED : P2pApi.RelayOutcome.FAILED;
            case RELAY_FAILED -> relay.stage == Stage.REQUESTED ? P2pApi.RelayOutcome.ABANDONED : P2pApi.RelayOutcome.FAILED;
            default -> P2pApi.RelayOutcome.FAILED; // CLIENT_SILENT; fail() is not called for departures
        };
    }

    private void replaced(Cause cause) {
        replacements.merge(cause, 1L, Long::sum);
        metrics.replaced(cause.name());
    }

    /**
     * A player's media is up again (from the edge, or from a host it reported connected): if it had been told to
     * stop because its host failed, that failover is over.
     */
    void mediaConnected(long session) {
        Long stopped = stopSentNanos.remove(session);
        if (stopped != null) {
            metrics.failover(System.nanoTime() - stopped);
        }
    }

    /** Drops the relay where {@code clientId} is the client (it gave up on it, or left) and tells its host. */
    private void endRelayOfClient(long clientId) {
        Relay relay = relaysByClient.remove(clientId);
        if (relay != null) {
            cooldown.start(clientId, relay.host);
            vertx.cancelTimer(relay.timer);
            toHost(relay, EdgeMessages.stop(relay.host, clientId), true);
        }
    }

    private void arm(Relay relay, long millis, Cause cause) {
        vertx.cancelTimer(relay.timer);
        relay.timer = vertx.setTimer(millis, t -> fail(relay, cause));
    }

    private static JsonArray encode(List<IceCandidate> candidates) {
        return IceCandidate.toJson(candidates);
    }

    private static List<IceCandidate> decode(JsonArray array) {
        return IceCandidate.fromTrustedJson(array);
    }
}
