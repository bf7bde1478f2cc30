package p2pedge.signalling;

import p2pedge.p2p.HostEntry;
import p2pedge.p2p.HostReputation;
import p2pedge.p2p.LocalHostRegistry;
import p2pedge.p2p.P2pApi;
import p2pedge.p2p.Placement;
import p2pedge.p2p.Reachability;
import p2pedge.signalling.protocol.EdgeMessages;
import p2pedge.testing.LocalPlacement;
import p2pedge.testing.TestPolicies;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Edges of a cluster as pure code, for tests in milliseconds: each edge a {@link RelayTable} and a
 * {@link Placement} over one shared {@link LocalHostRegistry}, their actions executed at once (as
 * RelayCoordinator and the classification verticle do, minus sockets, the event bus and vertx timers), on a
 * clock the test moves. Players' media comes up as soon as they are served by the edge.
 */
final class RelaySimulation {

    /** Placement sees every player behind one public address (any pair can relay); witnesses see 10.0.0.N. */
    private static final Reachability ONE_NETWORK = Reachability.unmeasured("192.0.2.1");

    static final String STREAM = "app/stream";

    final TestPolicies policy;
    final RelayTable.Rules rules;
    final int maxClientsPerHost;
    private long nanos = 1_000_000_000L;
    final HostReputation reputation = new HostReputation(new HostReputation.Rules(2, 2, 600_000, true), () -> nanos / 1_000_000);
    final LocalHostRegistry registry = new LocalHostRegistry();
    private final Map<String, Edge> edges = new LinkedHashMap<>();

    RelaySimulation(TestPolicies policy, RelayTable.Rules rules, int maxClientsPerHost) {
        this.policy = policy;
        this.rules = rules;
        this.maxClientsPerHost = maxClientsPerHost;
    }

    Edge edge(String id) {
        return edges.computeIfAbsent(id, Edge::new);
    }

    long nowNanos() {
        return nanos;
    }

    /** Moves the clock on, firing the timers due on every edge in order. */
    void advanceMillis(long millis) {
        long until = nanos + millis * 1_000_000;
        while (true) {
            Edge next = null;
            RelayTable.RelayId due = null;
            long at = Long.MAX_VALUE;
            for (Edge edge : edges.values()) {
                for (var timer : edge.timers.entrySet()) {
                    if (timer.getValue() <= until && timer.getValue() < at) {
                        at = timer.getValue();
                        next = edge;
                        due = timer.getKey();
                    }
                }
            }
            if (next == null) {
                break;
            }
            nanos = at;
            next.timers.remove(due);
            next.execute(next.table.timerFired(due));
        }
        nanos = until;
    }

    HostEntry host(long id) {
        return registry.snapshot().result().stream().filter(h -> h.hostId() == id).findFirst().orElse(null);
    }

    /** One edge: its players' sockets are the inboxes; counters as the executor would count them. */
    final class Edge {
        final String id;
        final Set<Long> online = new HashSet<>();
        final RelayTable table;
        final Placement placement;
        final Map<Long, String> userAgents = new HashMap<>();
        /** Players that do not report their relays (OvenPlayer): hosts only after a trial. */
        final Set<Long> silentOnRelays = new HashSet<>();
        final List<RelayAction.HostTried> trials = new ArrayList<>();
        final Map<Long, List<String>> inbox = new HashMap<>();
        final Map<Long, P2pApi.Role> roles = new HashMap<>();
        final Map<RelayTable.RelayId, Long> timers = new HashMap<>();
        final List<RelayAction.Classify> classified = new ArrayList<>();
        final List<RelayAction.Report> reports = new ArrayList<>();
        final EnumMap<RelayTable.Cause, Integer> replaced = new EnumMap<>(RelayTable.Cause.class);
        final List<Long> failovers = new ArrayList<>();
        int relaysConnected;

        Edge(String id) {
            this.id = id;
            this.table = new RelayTable(id, rules, new PeerCandidateFilter(true), () -> nanos, online::contains, RelayTableTest.TRIAL_PEER_IDS);
            this.placement = new Placement(TestPolicies.settings(id, true, maxClientsPerHost), policy.policy(reputation), reputation::now);
        }

        /**
         * A player connects and asks for the stream; classification is told it reports its relays (no trial), the
         * table learns that only from its reports, if it ever sends one (as a relay's client it is taken as connected
         * once it answers).
         */
        void join(long session, String userAgent) {
            online.add(session);
            userAgents.put(session, userAgent);
            execute(table.requestOffer(session, false, false));
        }

        /** A player connects and asks for the stream, saying whether it reports its relays (the project's page does). */
        void join(long session, String userAgent, boolean reports) {
            join(session, userAgent, reports, false);
        }

        /** The same, {@code offerAfterStop}: it takes an offer unasked after a stop (the project's page). */
        void join(long session, String userAgent, boolean reports, boolean offerAfterStop) {
            if (!reports) {
                silentOnRelays.add(session);
            }
            online.add(session);
            userAgents.put(session, userAgent);
            execute(table.requestOffer(session, reports, offerAfterStop));
        }

        /**
         * The player's socket closes: what SignallingVerticle and the classification verticle do, in the order the
         * slowest registry allows: classification hears of the leave first, the clients here are re-served (and may
         * be placed again) while the registry still lists the host, then the registry lets it go.
         */
        void leave(long session) {
            online.remove(session);
            Placement.Leaving leaving = placement.leave(session).orElse(null);
            execute(table.sessionClosed(session));
            if (leaving == null) {
                return;
            }
            if (leaving.hostOf() != 0) {
                release(leaving.hostOf(), session);
            }
            Map<Long, String> clients = leaving.unregister() ? registry.unregister(session).result() : Map.of();
            placement.orphaned(session, clients.keySet());
            execute(table.hostDeparted(session, clients, RelayTable.Cause.HOST_LEFT, false));
        }

        /** The edge drains: its hosts are withdrawn. */
        void drain() {
            placement.drain();
            for (var role : roles.entrySet()) {
                if (role.getValue() == P2pApi.Role.HOST && online.contains(role.getKey())) {
                    long host = role.getKey();
                    table.withdrawing(host);
                    Placement.Leaving leaving = placement.leave(host).orElseThrow();
                    Map<Long, String> clients = leaving.unregister() ? registry.unregister(host).result() : Map.of();
                    placement.orphaned(host, clients.keySet());
                    execute(table.hostDeparted(host, clients, RelayTable.Cause.HOST_DRAINED, true));
                }
            }
        }

        /** Another edge of the cluster is gone (every survivor hears it). */
        void edgeLeft(String dead) {
            placement.edgeLeft(dead);
            registry.purgeEdge(dead);
            execute(table.edgeLeft(dead));
        }

        List<String> inbox(long session) {
            return inbox.getOrDefault(session, List.of());
        }

        String last(long session) {
            List<String> messages = inbox(session);
            return messages.isEmpty() ? null : messages.get(messages.size() - 1);
        }

        void execute(List<RelayAction> actions) {
            actions.forEach(this::execute);
        }

        private void execute(RelayAction action) {
            if (action instanceof RelayAction.ToPlayer a) {
                toPlayer(a.session(), a.text());
            } else if (action instanceof RelayAction.ToHost a) {
                Edge hostEdge = edges.get(a.host().edge());
                if (hostEdge == this) {
                    toPlayer(a.host().session(), a.text());
                } else if (hostEdge != null) {
                    hostEdge.execute(hostEdge.table.toHostFromEdge(a.host().session(), a.client(), a.text(), a.endsRelay()));
                }
            } else if (action instanceof RelayAction.AskHost a) {
                if (online.contains(a.host())) {
                    toPlayer(a.host(), EdgeMessages.requestOfferP2p(a.host(), a.relay().client()));
                } else {
                    execute(table.hostUnreachable(a.relay()));
                }
            } else if (action instanceof RelayAction.ToClientEdge a) {
                Edge clientEdge = edges.get(a.edge());
                if (clientEdge != null) {
                    clientEdge.execute(clientEdge.table.fromHostEdge(a.kind(), a.host(), a.client(), id, a.sdp(), a.candidates()));
                }
            } else if (action instanceof RelayAction.Classify a) {
                classified.add(a);
                classify(a);
            } else if (action instanceof RelayAction.Report a) {
                reports.add(a);
                Placement.RelayResult result = placement.relayResult(a.host(), a.client(), a.outcome(),
                        reputation.witnessOf(a.clientAddress(), a.client()), reputation.now(), a.millis());
                if (result.health() != null) {
                    registry.updateHealth(a.host(), result.health());
                }
                if (result.release()) {
                    release(a.host(), a.client());
                }
                if (a.then() != null) {
                    execute(table.failureRecorded(a.then()));
                }
            } else if (action instanceof RelayAction.ArmTimer a) {
                timers.put(a.relay(), nanos + a.delayMillis() * 1_000_000);
            } else if (action instanceof RelayAction.CancelTimer a) {
                timers.remove(a.relay());
            } else if (action instanceof RelayAction.Replaced a) {
                replaced.merge(a.cause(), 1, Integer::sum);
            } else if (action instanceof RelayAction.RelayConnected) {
                relaysConnected++;
            } else if (action instanceof RelayAction.FailedOver a) {
                failovers.add(a.nanos());
            } else if (action instanceof RelayAction.HostTried a) {
                trials.add(a);
                placement.hostTried(a.host(), a.answered(), a.millis()).ifPresent(registry::register);
            }
        }

        /** A client here gives back its slot; a host of another edge hears of it as the cluster's registry tells it. */
        private void release(long host, long client) {
            HostEntry entry = host(host);
            if (registry.release(host, client).result() && entry != null && !entry.edgeId().equals(id)) {
                Edge hostEdge = edges.get(entry.edgeId());
                hostEdge.execute(hostEdge.table.slotReleased(host, client));
            }
        }

        private void toPlayer(long session, String text) {
            if (online.contains(session)) {
                inbox.computeIfAbsent(session, s -> new ArrayList<>()).add(text);
            }
        }

        /** Classification as the verticle runs it; a player served by the edge has its media up at once. */
        private void classify(RelayAction.Classify request) {
            long client = request.client();
            Placement.Request asked = placement.request(client, STREAM, userAgents.get(client), ONE_NETWORK, request.excluded(),
                    request.edgeOnly(), !silentOnRelays.contains(client));
            Placement.Plan plan = LocalPlacement.execute(placement, registry, asked);
            roles.put(client, plan.role());
            if (plan instanceof Placement.Client c) {
                Edge hostEdge = edges.get(c.hostEdge());
                if (hostEdge != this) {
                    // The cluster's registry: the host's edge granted the slot, and asks the host before the grant gets here.
                    hostEdge.execute(hostEdge.table.slotGranted(c.host(), client, id));
                }
                execute(table.placedOnHost(client, "10.0.0." + client, new RelayTable.Peer(c.host(), c.hostEdge()), c.predicted(), false));
                return;
            }
            if (plan instanceof Placement.Host) {
                table.placedAsHost(client, placement.answer(asked, plan).trial());
            }
            placement.mediaConnected(client).ifPresent(registry::register);
            execute(table.mediaConnected(client));
        }
    }
}
