package p2pedge.signalling;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import p2pedge.cluster.events.RemoteSlot;
import p2pedge.config.EdgeConfig;
import p2pedge.metrics.EdgeMetrics;
import p2pedge.p2p.HostCapacity;
import p2pedge.p2p.P2pApi;
import p2pedge.signalling.protocol.PlayerMessage;
import p2pedge.signalling.protocol.ProtocolException;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongFunction;
import java.util.logging.Logger;

/**
 * P2P Delivery on the signalling side, as an executor of {@link RelayTable}: turns players' messages, edge
 * messages and timers into the table's events, and carries out its actions (sends through {@link PeerRoute},
 * vertx timers, classification requests, counters in {@link EdgeMetrics}). Confined to the signalling
 * verticle's event loop.
 */
final class RelayCoordinator {

    private static final Logger LOG = Logger.getLogger(RelayCoordinator.class.getName());

    private final Vertx vertx;
    private final P2pApi p2p;
    private final PeerRoute route;
    private final LongFunction<PlayerSession> sessions;
    private final EdgeMetrics metrics;
    private final RelayTable table;
    /** Armed relay timers -> vertx timer id. */
    private final Map<RelayTable.RelayId, Long> timers = new HashMap<>();

    RelayCoordinator(Vertx vertx, EdgeConfig.P2p config, P2pApi p2p, EdgeLink link, LongFunction<PlayerSession> sessions,
                     EdgeMetrics metrics) {
        this.metrics = metrics;
        this.vertx = vertx;
        this.p2p = p2p;
        this.sessions = sessions;
        this.route = new PeerRoute(link, sessions);
        this.table = new RelayTable(link.edgeId(), rulesOf(config), new PeerCandidateFilter(config.allowLoopbackCandidates()),
                System::nanoTime, route::isOnline, RelayCoordinator::trialPeerId);
    }

    /** A peer id no session has (see {@link SessionIds#LIMIT}), unpredictable to the host it is sent to. */
    private static long trialPeerId() {
        return ThreadLocalRandom.current().nextLong(SessionIds.LIMIT, Integer.MAX_VALUE);
    }

    private static RelayTable.Rules rulesOf(EdgeConfig.P2p config) {
        return new RelayTable.Rules(config.hostOfferTimeoutMillis(), config.relayConnectTimeoutMillis(), config.unprovenRelayTimeoutMillis(),
                config.maxHostAttemptsPerClient(), config.pairCooldownMillis(), config.silentGiveUpSeconds() * 1000L,
                config.policy() == EdgeConfig.Policy.MEASURED);
    }

    // ---- players' messages ----

    void checkNoOfferPending(PlayerSession player) throws ProtocolException {
        table.checkNoOfferPending(player.id());
    }

    /**
     * A player asks for the stream: place it on a host, or have the edge serve it. What else the project's page said
     * (that it reports its relays' state, that it takes an offer unasked after a stop) is kept for its next relays.
     */
    void requestOffer(PlayerSession player, PlayerMessage.RequestOffer request) {
        execute(table.requestOffer(player.id(), request.reports(), request.offerAfterStop()));
    }

    void answerFromClient(PlayerSession client, PlayerMessage.Answer answer) throws ProtocolException {
        execute(table.answerFromClient(client.id(), answer.peerId(), answer.sdp()));
    }

    void candidatesFromClient(PlayerSession client, PlayerMessage.Candidates message) throws ProtocolException {
        execute(table.candidatesFromClient(client.id(), message.peerId(), message.candidates()));
    }

    void stats(PlayerSession player, PlayerMessage.Stats stats) throws ProtocolException {
        if ((stats.kbps() != null || stats.upload() != null) && player.role() == P2pApi.Role.HOST) {
            PlayerMessage.Upload u = stats.upload();
            HostCapacity.Upload upload = u == null ? null : new HostCapacity.Upload(u.relays(), u.sentKbps(), u.availableKbps(), u.limited());
            p2p.report(player.id(), stats.kbps(), upload, player.streamKbps());
        }
        execute(table.stats(player.id(), stats.relay(), stats.peerId()));
    }

    void offerFromHost(PlayerSession host, PlayerMessage.OfferP2p offer) throws ProtocolException {
        execute(table.offerFromHost(host.id(), offer.peerId(), offer.sdp(), offer.candidates()));
    }

    void candidatesFromHost(PlayerSession host, PlayerMessage.CandidateP2p message) throws ProtocolException {
        execute(table.candidatesFromHost(host.id(), message.peerId(), message.candidates()));
    }

    /** {@code stop} with a peer_id: one relay ends, the sessions go on. */
    void stopRelay(PlayerSession player, long peerId) throws ProtocolException {
        execute(table.stopRelay(player.id(), peerId));
    }

    /** A player left (stop, socket closed, timed out): free its slot, re-serve its clients at once. */
    void sessionClosed(PlayerSession player) {
        // Leave first: classification then sees the host go before any of its clients, re-served below, asks again.
        Future<P2pApi.Departure> departure = p2p.leave(player.id());
        execute(table.sessionClosed(player.id()));
        departure.onComplete(ar -> {
            if (ar.failed()) {
                LOG.warning("session " + player.id() + ": leave failed: " + ar.cause().getMessage());
                return;
            }
            execute(table.hostDeparted(player.id(), ar.result().clients(), RelayTable.Cause.HOST_LEFT, false));
        });
    }

    /**
     * The edge drains: {@code host} stays edge-served but hosts no more; it is told to stop relaying, and its
     * clients, here or on other edges, are placed again at once. Completes with how many clients it had.
     */
    Future<Integer> withdraw(PlayerSession host) {
        table.withdrawing(host.id());
        return p2p.leave(host.id()).map(departure -> {
            execute(table.hostDeparted(host.id(), departure.clients(), RelayTable.Cause.HOST_DRAINED, true));
            return departure.clients().size();
        });
    }

    /** The host a client here plays from, or empty (edge-served, or not placed yet). */
    OptionalLong hostOf(long clientId) {
        return table.hostOf(clientId);
    }

    /** Another edge is gone: its hosts' clients here are re-served, and our hosts drop its clients. */
    void edgeLeft(String deadEdge) {
        execute(table.edgeLeft(deadEdge));
    }

    /** An edge joined, maybe one announced gone before a split healed: it is no longer refused. */
    void edgeJoined(String edge) {
        table.edgeJoined(edge);
    }

    void mediaConnected(long session) {
        execute(table.mediaConnected(session));
    }

    /**
     * Classification moved an edge-served host of ours onto another host (regrouping): the relay is set up while the
     * player keeps its edge connection (its page switches once the relay shows a frame); that connection is closed
     * once the relay connects. A player that is no longer an edge-served host gives the slot back.
     */
    void moved(P2pApi.Moved move) {
        PlayerSession player = sessions.apply(move.session());
        if (player == null || !player.moveToHost()) {
            p2p.relayResult(move.hostId(), move.session(), null, P2pApi.RelayOutcome.ABANDONED, 0);
            return;
        }
        metrics.moved();
        execute(table.placedOnHost(player.id(), player.remoteAddress(), new RelayTable.Peer(move.hostId(), move.hostEdge()),
                move.predicted(), true));
    }

    /**
     * Classification took slots from a host of ours whose relays are limited: the clients beyond them play elsewhere
     * now (another host, or the edge), and the host is told to stop relaying to each.
     */
    void shed(P2pApi.Shed shed) {
        execute(table.hostDeparted(shed.host(), shed.clients(), RelayTable.Cause.HOST_LIMITED, true));
    }

    /** The registry gave a slot of our host to a client of another edge (ClusterEvents.SLOT_GRANTED). */
    void slotGranted(RemoteSlot slot) {
        execute(table.slotGranted(slot.host(), slot.client(), slot.clientEdge()));
    }

    /** A client of another edge gave back its slot on our host (ClusterEvents.SLOT_RELEASED). */
    void slotReleased(RemoteSlot slot) {
        execute(table.slotReleased(slot.host(), slot.client()));
    }

    /** A message from another edge's signalling about a relay that crosses edges. */
    void onEdgeMessage(Message<JsonObject> message) {
        EdgeLink.Received m = EdgeLink.Received.of(message.body());
        switch (m.kind()) {
            case EdgeLink.TO_HOST -> execute(table.toHostFromEdge(m.host(), m.client(), m.text(), m.endsRelay()));
            case EdgeLink.OFFER, EdgeLink.CANDIDATES, EdgeLink.HOST_STOPPED, EdgeLink.HOST_LEFT, EdgeLink.HOST_GONE ->
                    execute(table.fromHostEdge(m.kind(), m.host(), m.client(), m.from(), m.sdp(), m.candidates()));
            default -> LOG.warning("unknown edge message " + m.kind());
        }
    }

    /**
     * Counters since start, read from {@link EdgeMetrics} (the one source): placements on hosts, relays connected,
     * clients re-placed by cause.
     */
    JsonObject counters() {
        JsonObject byCause = new JsonObject();
        for (RelayTable.Cause cause : RelayTable.Cause.values()) {
            String name = cause.name().toLowerCase(Locale.ROOT);
            byCause.put(name, metrics.replacements(name));
        }
        return new JsonObject().put("placementsOnHosts", metrics.placements("client"))
                .put("relaysConnected", metrics.relaysConnected()).put("replacements", byCause);
    }

    // ---- the executor ----

    private void execute(List<RelayAction> actions) {
        for (RelayAction action : actions) {
            execute(action);
        }
    }

    private void execute(RelayAction action) {
        // Java 17: no pattern switch; the sealed interface keeps this list complete.
        if (action instanceof RelayAction.ToPlayer a) {
            route.toPlayer(a.session(), a.text());
        } else if (action instanceof RelayAction.ToHost a) {
            route.toHost(a.host(), a.client(), a.text(), a.endsRelay());
        } else if (action instanceof RelayAction.AskHost a) {
            if (!route.askToOffer(a.host(), a.relay().client())) {
                execute(table.hostUnreachable(a.relay()));
            }
        } else if (action instanceof RelayAction.ToClientEdge a) {
            route.toClientEdge(a);
        } else if (action instanceof RelayAction.Classify a) {
            classify(a);
        } else if (action instanceof RelayAction.Report a) {
            Future<Void> recorded = p2p.relayResult(a.host(), a.client(), a.clientAddress(), a.outcome(), a.millis());
            if (a.then() != null) {
                recorded.onComplete(ar -> execute(table.failureRecorded(a.then())));
            } else {
                recorded.onFailure(t -> LOG.fine(() -> "host " + a.host() + ": recording " + a.outcome() + " failed: " + t.getMessage()));
            }
        } else if (action instanceof RelayAction.HostTried a) {
            metrics.hostTried(a.answered());
            if (!a.answered()) {
                PlayerSession host = sessions.apply(a.host());
                if (host != null) {
                    host.neverHosts();
                }
            }
            p2p.hostTried(a.host(), a.answered(), a.millis())
                    .onFailure(t -> LOG.warning("host " + a.host() + ": recording its trial failed: " + t.getMessage()));
        } else if (action instanceof RelayAction.ReleaseEdge a) {
            PlayerSession player = sessions.apply(a.session());
            if (player != null) {
                player.releaseEdgeConnection();
            }
        } else if (action instanceof RelayAction.ArmTimer a) {
            cancelTimer(a.relay());
            timers.put(a.relay(), vertx.setTimer(a.delayMillis(), t -> {
                timers.remove(a.relay());
                execute(table.timerFired(a.relay()));
            }));
        } else if (action instanceof RelayAction.CancelTimer a) {
            cancelTimer(a.relay());
        } else if (action instanceof RelayAction.Replaced a) {
            metrics.replaced(a.cause().name());
        } else if (action instanceof RelayAction.RelayConnected) {
            metrics.relayConnected();
        } else if (action instanceof RelayAction.FailedOver a) {
            metrics.failover(a.nanos());
        } else if (action instanceof RelayAction.CandidateDropped a) {
            metrics.peerCandidateDropped(a.reason().label());
        }
    }

    private void cancelTimer(RelayTable.RelayId relay) {
        Long timer = timers.remove(relay);
        if (timer != null) {
            vertx.cancelTimer(timer);
        }
    }

    /** Has classification place a player, then serves it from the edge or hands it to its host. */
    private void classify(RelayAction.Classify request) {
        PlayerSession player = sessions.apply(request.client());
        if (player == null) {
            return;
        }
        if (request.afterStop()) {
            // The stop went out just before this, in the same pass over the table's actions.
            player.offerFollowsStop(System.nanoTime());
            player.prepareOffer();
        }
        p2p.classify(player.id(), player.stream(), player.userAgent(), player.reachability(), request.excluded(),
                request.edgeOnly(), request.reports(), player.consent()).onComplete(ar -> {
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
                if (placement.role() == P2pApi.Role.HOST) {
                    table.placedAsHost(player.id(), placement.trial());
                }
                player.serveFromEdge(placement.role());
                return;
            }
            player.becomeClient(placement.hostId());
            LOG.fine(() -> "session " + player.id() + " (" + placement.profile() + ") placed on host " + placement.hostId()
                    + " on edge " + placement.hostEdge());
            execute(table.placedOnHost(player.id(), player.remoteAddress(),
                    new RelayTable.Peer(placement.hostId(), placement.hostEdge()), placement.predicted(), false));
        });
    }
}
