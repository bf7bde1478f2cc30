package p2pedge.signalling;

import io.vertx.core.Vertx;
import p2pedge.config.EdgeConfig;
import p2pedge.p2p.P2pApi;
import p2pedge.signalling.protocol.EdgeMessages;
import p2pedge.signalling.protocol.PlayerMessage;
import p2pedge.signalling.protocol.ProtocolException;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.logging.Logger;

/**
 * P2P Delivery on the signalling side: places each new player through the classification verticle, carries
 * the offer/answer/candidates between a Host Peer and its Client Peers (checking every {@code peer_id}),
 * gives up on hosts that stay silent or whose relay fails, and re-serves the clients of a host that leaves.
 * Confined to the signalling verticle's event loop.
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
        HOST_LEFT("host left");

        final String text;

        Cause(String text) {
            this.text = text;
        }
    }

    /** One host -> client relay being set up or running. */
    private static final class Relay {
        final long host;
        final long client;
        final long startedNanos = System.nanoTime();
        Stage stage = Stage.REQUESTED;
        long timer = -1;

        Relay(long host, long client) {
            this.host = host;
            this.client = client;
        }

        long elapsedMillis() {
            return (System.nanoTime() - startedNanos) / 1_000_000;
        }
    }

    private final Vertx vertx;
    private final EdgeConfig.P2p config;
    private final P2pApi p2p;
    private final LongFunction<PlayerSession> sessions;
    private final Map<Long, Relay> relaysByClient = new HashMap<>();
    private final Map<Long, Set<Long>> failedHostsByClient = new HashMap<>();
    /** Players that report their relay state with {@code stats}: their relays count only once reported. */
    private final Set<Long> reporters = new HashSet<>();
    private long placements;
    private long relaysConnected;
    private final java.util.EnumMap<Cause, Long> replacements = new java.util.EnumMap<>(Cause.class);

    RelayCoordinator(Vertx vertx, EdgeConfig.P2p config, P2pApi p2p, LongFunction<PlayerSession> sessions) {
        this.vertx = vertx;
        this.config = config;
        this.p2p = p2p;
        this.sessions = sessions;
    }

    /** A player asks for the stream: place it on a host, or have the edge serve it. */
    void requestOffer(PlayerSession player) {
        endRelayOfClient(player.id(), true);
        Set<Long> failed = failedHostsByClient.getOrDefault(player.id(), Set.of());
        boolean edgeOnly = failed.size() >= config.maxHostAttemptsPerClient();
        p2p.classify(player.id(), player.stream(), player.userAgent(), failed, edgeOnly).onComplete(ar -> {
            if (!player.isOpen()) {
                return;
            }
            if (ar.failed()) {
                // Never leave a viewer without video because placement failed.
                LOG.warning("session " + player.id() + ": classification failed, serving from the edge: " + ar.cause().getMessage());
                player.serveFromEdge(P2pApi.Role.EDGE);
                return;
            }
            P2pApi.Placement placement = ar.result();
            if (placement.role() != P2pApi.Role.CLIENT) {
                player.serveFromEdge(placement.role());
                return;
            }
            PlayerSession host = sessions.apply(placement.hostId());
            Relay relay = new Relay(placement.hostId(), player.id());
            relaysByClient.put(player.id(), relay);
            player.becomeClient(placement.hostId());
            if (host == null || !host.isOpen()) {
                fail(relay, Cause.HOST_GONE);
                return;
            }
            LOG.fine(() -> "session " + player.id() + " (" + placement.profile() + ") placed on host " + host.id());
            placements++;
            host.send(EdgeMessages.requestOfferP2p(host.id(), player.id()));
            arm(relay, config.hostOfferTimeoutMillis(), Cause.HOST_SILENT);
        });
    }

    /** offer_p2p from a host, for its client {@code peer_id}. */
    void offerFromHost(PlayerSession host, PlayerMessage.OfferP2p offer) throws ProtocolException {
        Relay relay = relayOf(host.id(), offer.peerId());
        if (relay.stage != Stage.REQUESTED) {
            throw ProtocolException.badRequest("no offer was requested for peer " + offer.peerId());
        }
        PlayerSession client = sessions.apply(relay.client);
        relay.stage = Stage.OFFERED;
        // The client must answer (and connect, when it reports) within the relay timeout.
        arm(relay, config.relayConnectTimeoutMillis(), Cause.CLIENT_SILENT);
        client.send(EdgeMessages.offer(client.id(), host.id(), offer.sdp(), offer.candidates(), List.of()));
    }

    /** candidate_p2p from a host, for its client. */
    void candidatesFromHost(PlayerSession host, PlayerMessage.CandidateP2p message) throws ProtocolException {
        Relay relay = relayOf(host.id(), message.peerId());
        sessions.apply(relay.client).send(EdgeMessages.peerCandidates("candidate", relay.client, host.id(), message.candidates()));
    }

    /** answer from a client, for its host {@code peer_id}. */
    void answerFromClient(PlayerSession client, PlayerMessage.Answer answer) throws ProtocolException {
        Relay relay = relayOf(answer.peerId(), client.id());
        if (relay.stage != Stage.OFFERED) {
            throw ProtocolException.badRequest("no offer from peer " + answer.peerId() + " is waiting for an answer");
        }
        relay.stage = Stage.ANSWERED;
        sessions.apply(relay.host).send(EdgeMessages.answerP2p(relay.host, client.id(), answer.sdp()));
        if (!reporters.contains(client.id())) {
            // A player that never reports (OvenPlayer): its answer is the last sign we get.
            connected(relay);
        }
    }

    /** candidate from a client, for its host. */
    void candidatesFromClient(PlayerSession client, PlayerMessage.Candidates message) throws ProtocolException {
        Relay relay = relayOf(message.peerId(), client.id());
        sessions.apply(relay.host).send(EdgeMessages.peerCandidates("candidate_p2p", relay.host, client.id(), message.candidates()));
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
            if (relay.stage != Stage.CONNECTED) {
                connected(relay);
            }
        } else {
            fail(relay, Cause.RELAY_FAILED);
        }
    }

    /** {@code stop} with a peer_id: one relay ends, the sessions go on. */
    void stopRelay(PlayerSession player, long peerId) throws ProtocolException {
        Relay asClient = relaysByClient.get(player.id());
        if (asClient != null && asClient.host == peerId) {
            endRelayOfClient(player.id(), true);
            return;
        }
        Relay asHost = relaysByClient.get(peerId);
        if (asHost == null || asHost.host != player.id()) {
            throw new ProtocolException(400, "peer_id " + peerId + " is not a peer of this session", false);
        }
        fail(asHost, Cause.HOST_STOPPED);
    }

    /** A player left (stop, socket closed, timed out): free its slot, re-serve its clients at once. */
    void sessionClosed(PlayerSession player) {
        endRelayOfClient(player.id(), true);
        failedHostsByClient.remove(player.id());
        reporters.remove(player.id());
        p2p.leave(player.id()).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warning("session " + player.id() + ": leave failed: " + ar.cause().getMessage());
                return;
            }
            for (long clientId : ar.result().clients()) {
                Relay relay = relaysByClient.remove(clientId);
                if (relay != null) {
                    vertx.cancelTimer(relay.timer);
                }
                PlayerSession client = sessions.apply(clientId);
                if (client == null || !client.isOpen()) {
                    continue;
                }
                replacements.merge(Cause.HOST_LEFT, 1L, Long::sum);
                if (relay == null || relay.stage == Stage.REQUESTED) {
                    // No offer reached it yet: a "host left" stop would break OvenPlayer; serve it now.
                    requestOffer(client);
                } else {
                    client.send(EdgeMessages.stop(clientId, player.id()));
                }
            }
        });
    }

    /** The relay whose host is {@code host} and client is {@code client}, or a 400: never relay to a stranger. */
    private Relay relayOf(long host, long client) throws ProtocolException {
        Relay relay = relaysByClient.get(client);
        if (relay == null || relay.host != host) {
            throw new ProtocolException(400, "peer_id does not name a paired peer (host " + host + ", client " + client + ")", false);
        }
        return relay;
    }

    /** Counters since start: placements on hosts, relays connected, clients re-placed by cause. */
    io.vertx.core.json.JsonObject counters() {
        io.vertx.core.json.JsonObject byCause = new io.vertx.core.json.JsonObject();
        for (Cause cause : Cause.values()) {
            byCause.put(cause.name().toLowerCase(java.util.Locale.ROOT), replacements.getOrDefault(cause, 0L));
        }
        return new io.vertx.core.json.JsonObject().put("placementsOnHosts", placements)
                .put("relaysConnected", relaysConnected).put("replacements", byCause);
    }

    private void connected(Relay relay) {
        relaysConnected++;
        vertx.cancelTimer(relay.timer);
        relay.stage = Stage.CONNECTED;
        failedHostsByClient.remove(relay.client);
        p2p.relayResult(relay.host, relay.client, true, relay.elapsedMillis());
    }

    /** The relay failed: count it against the host, drop it, and get the client served at once. */
    private void fail(Relay relay, Cause cause) {
        if (relaysByClient.get(relay.client) != relay) {
            return;
        }
        replacements.merge(cause, 1L, Long::sum);
        relaysByClient.remove(relay.client);
        vertx.cancelTimer(relay.timer);
        LOG.info(() -> "relay " + relay.host + " -> " + relay.client + " failed after " + relay.elapsedMillis() + " ms: " + cause.text);
        failedHostsByClient.computeIfAbsent(relay.client, c -> new HashSet<>()).add(relay.host);
        PlayerSession host = sessions.apply(relay.host);
        if (host != null && host.isOpen()) {
            host.send(EdgeMessages.stop(relay.host, relay.client));
        }
        PlayerSession client = sessions.apply(relay.client);
        p2p.relayResult(relay.host, relay.client, false, relay.elapsedMillis()).onComplete(ar -> {
            if (client == null || !client.isOpen()) {
                return;
            }
            if (relay.stage == Stage.REQUESTED) {
                requestOffer(client); // it has no offer yet: place it again right away
            } else {
                client.send(EdgeMessages.stop(relay.client, relay.host)); // it re-asks with request_offer
            }
        });
    }

    /** Drops the relay where {@code clientId} is the client, telling its host when asked to. */
    private void endRelayOfClient(long clientId, boolean tellHost) {
        Relay relay = relaysByClient.remove(clientId);
        if (relay == null) {
            return;
        }
        vertx.cancelTimer(relay.timer);
        PlayerSession host = sessions.apply(relay.host);
        if (tellHost && host != null && host.isOpen()) {
            host.send(EdgeMessages.stop(relay.host, clientId));
        }
    }

    private void arm(Relay relay, long millis, Cause cause) {
        vertx.cancelTimer(relay.timer);
        relay.timer = vertx.setTimer(millis, t -> fail(relay, cause));
    }
}
