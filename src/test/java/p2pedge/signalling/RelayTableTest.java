package p2pedge.signalling;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import p2pedge.p2p.HostReputation;
import p2pedge.p2p.P2pApi;
import p2pedge.signalling.RelayTable.Cause;
import p2pedge.signalling.protocol.EdgeMessages;
import p2pedge.signalling.protocol.ProtocolException;
import p2pedge.testing.TestPolicies;
import p2pedge.webrtc.IceCandidate;
import p2pedge.webrtc.SessionDescription;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pedge.testing.TestPolicies.DESKTOP;

/**
 * The relay lifecycle, pure: every cause that takes a client off its host, under both policies, on one edge and
 * across edges ({@link RelaySimulation}: tables, placements and one registry on a clock the test moves).
 */
class RelayTableTest {

    private static final RelayTable.Rules RULES = new RelayTable.Rules(3_000, 5_000, 1_000, 2, 30_000, 60_000, false);
    private static final SessionDescription OFFER = new SessionDescription("offer", "v=0\r\ns=host\r\n");
    private static final SessionDescription ANSWER = new SessionDescription("answer", "v=0\r\ns=client\r\n");
    private static final long HOST = 1;
    private static final long CLIENT = 2;
    /** Trial peer ids as the coordinator's are: above every session id. */
    static final LongSupplier TRIAL_PEER_IDS = new AtomicLong(SessionIds.LIMIT)::incrementAndGet;

    private RelaySimulation sim;
    private RelaySimulation.Edge a;
    private RelaySimulation.Edge b;

    /** Host 1 on {@code hostEdge}, client 2 on edge a placed on it; the host has been asked to offer. */
    private void pair(TestPolicies policy, String hostEdge) {
        sim = new RelaySimulation(policy, RULES, 2);
        a = sim.edge("edge-a");
        b = sim.edge("edge-b");
        RelaySimulation.Edge hosting = sim.edge(hostEdge);
        hosting.join(HOST, DESKTOP);
        assertEquals(P2pApi.Role.HOST, hosting.roles.get(HOST));
        a.join(CLIENT, DESKTOP);
        assertEquals(P2pApi.Role.CLIENT, a.roles.get(CLIENT));
        assertEquals(EdgeMessages.requestOfferP2p(HOST, CLIENT), hosting.last(HOST));
        assertEquals(Map.of(CLIENT, "edge-a"), sim.host(HOST).clients());
    }

    /** Edges a and b, host 1 on b; the client is not there yet. */
    private void hostOnEdgeB(TestPolicies policy) {
        sim = new RelaySimulation(policy, RULES, 2);
        a = sim.edge("edge-a");
        b = sim.edge("edge-b");
        b.join(HOST, DESKTOP);
    }

    private void offer(RelaySimulation.Edge hostEdge) throws ProtocolException {
        hostEdge.execute(hostEdge.table.offerFromHost(HOST, CLIENT, OFFER, List.of()));
        assertEquals(EdgeMessages.offer(CLIENT, HOST, OFFER, List.of(), List.of()), a.last(CLIENT));
    }

    private void answer() throws ProtocolException {
        a.execute(a.table.answerFromClient(CLIENT, HOST, ANSWER));
    }

    /** The client lost its host for {@code cause}; it was told to stop (it had an offer) or placed again at once. */
    private void assertReplaced(Cause cause, P2pApi.RelayOutcome outcome, boolean toldToStop) {
        assertEquals(Map.of(cause, 1), a.replaced, "counted once, by cause");
        if (outcome != null) {
            assertEquals(outcome, a.reports.get(a.reports.size() - 1).outcome());
        }
        assertTrue(a.timers.isEmpty(), "no timer left for an ended relay");
        assertNotEquals(OptionalLong.of(HOST), a.table.hostOf(CLIENT), "off its host");
        if (toldToStop) {
            assertEquals(EdgeMessages.stop(CLIENT, HOST), a.last(CLIENT));
            assertEquals(1, requests().size(), "it asks again itself");
        } else {
            assertEquals(2, requests().size(), "placed again without a word to it");
            assertFalse(a.inbox(CLIENT).contains(EdgeMessages.stop(CLIENT, HOST)));
        }
    }

    /** The client's placement requests on its edge. */
    private List<RelayAction.Classify> requests() {
        return a.classified.stream().filter(c -> c.client() == CLIENT).toList();
    }

    private boolean accepted(long host) {
        HostReputation reputation = sim.reputation;
        return sim.policy.policy(reputation).acceptsClients(sim.host(host));
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void hostSilent(TestPolicies policy) {
        pair(policy, "edge-a");
        sim.advanceMillis(RULES.hostOfferTimeoutMillis() - 1);
        assertTrue(a.replaced.isEmpty());
        sim.advanceMillis(1);
        assertReplaced(Cause.HOST_SILENT, P2pApi.RelayOutcome.HOST_FAILED, false);
        assertEquals(EdgeMessages.stop(HOST, CLIENT), a.last(HOST), "the host is told to drop the relay");
        assertEquals(Set.of(HOST), requests().get(1).excluded());
        assertEquals(P2pApi.Role.HOST, a.roles.get(CLIENT), "no other host: it hosts itself");
        assertFalse(accepted(HOST), "a host silent before it ever offered takes no more clients");
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void clientSilent(TestPolicies policy) throws ProtocolException {
        pair(policy, "edge-a");
        offer(a);
        sim.advanceMillis(RULES.relayConnectTimeoutMillis());
        assertReplaced(Cause.CLIENT_SILENT, P2pApi.RelayOutcome.FAILED, true);
        assertEquals(EdgeMessages.stop(HOST, CLIENT), a.last(HOST));
        assertTrue(accepted(HOST), "one client's silence is not enough against a host");
        a.execute(a.table.requestOffer(CLIENT, false, false));
        assertTrue(requests().get(1).excluded().contains(HOST));
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void relayFailed(TestPolicies policy) throws ProtocolException {
        pair(policy, "edge-a");
        a.execute(a.table.stats(CLIENT, null, 0)); // it reports: connected only once it says so
        offer(a);
        answer();
        assertEquals(0, a.relaysConnected);
        assertEquals(EdgeMessages.answerP2p(HOST, CLIENT, ANSWER), a.last(HOST));
        a.execute(a.table.stats(CLIENT, "failed", HOST));
        assertReplaced(Cause.RELAY_FAILED, P2pApi.RelayOutcome.FAILED, true);
        assertEquals(EdgeMessages.stop(HOST, CLIENT), a.last(HOST));
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void relayFailedBeforeTheOfferIsAbandoned(TestPolicies policy) throws ProtocolException {
        pair(policy, "edge-a");
        a.execute(a.table.stats(CLIENT, "failed", HOST));
        assertReplaced(Cause.RELAY_FAILED, P2pApi.RelayOutcome.ABANDONED, false);
        assertTrue(accepted(HOST), "nothing learnt about the host");
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void hostStopped(TestPolicies policy) throws ProtocolException {
        pair(policy, "edge-b");
        offer(b);
        int toHost = b.inbox(HOST).size();
        b.execute(b.table.stopRelay(HOST, CLIENT));
        assertReplaced(Cause.HOST_STOPPED, P2pApi.RelayOutcome.FAILED, true);
        assertEquals(toHost, b.inbox(HOST).size(), "the host that stopped is not told to stop");
        assertThrows(ProtocolException.class, () -> b.table.stopRelay(HOST, CLIENT), "the pairing is gone on its edge");
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void hostGone(TestPolicies policy) {
        sim = new RelaySimulation(policy, RULES, 2);
        a = sim.edge("edge-a");
        a.join(HOST, DESKTOP);
        a.online.remove(HOST); // its socket closed; its departure is not through yet
        a.join(CLIENT, DESKTOP);
        assertReplaced(Cause.HOST_GONE, P2pApi.RelayOutcome.HOST_FAILED, false);
        assertTrue(a.inbox(HOST).isEmpty());
        assertFalse(accepted(HOST));
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void hostGoneFromItsEdge(TestPolicies policy) {
        hostOnEdgeB(policy);
        b.online.remove(HOST); // its edge grants the slot (the registry still lists the host) and says it is gone
        a.join(CLIENT, DESKTOP);
        assertReplaced(Cause.HOST_GONE, P2pApi.RelayOutcome.HOST_FAILED, false);
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void hostLeft(TestPolicies policy) throws ProtocolException {
        pair(policy, "edge-b");
        offer(b);
        answer();
        assertEquals(1, a.relaysConnected, "a client that never reports counts as connected once it answers");
        b.leave(HOST);
        assertReplaced(Cause.HOST_LEFT, null, true);
        assertTrue(sim.registry.snapshot().result().stream().allMatch(h -> h.clients().isEmpty()), "no slot left held");
        sim.advanceMillis(700);
        a.execute(a.table.requestOffer(CLIENT, false, false));
        assertEquals(List.of(700_000_000L), a.failovers, "from the stop to its media up again");
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void aClientHereIsToldWhenItsHostsSocketClosesNotWhenTheRegistryAnswers(TestPolicies policy) throws ProtocolException {
        pair(policy, "edge-a");
        offer(a);
        answer();
        List<RelayAction> closed = a.table.sessionClosed(HOST);
        assertTrue(closed.contains(new RelayAction.ToPlayer(CLIENT, EdgeMessages.stop(CLIENT, HOST))), closed.toString());
        a.execute(closed);
        assertEquals(List.of(), a.table.hostDeparted(HOST, Map.of(CLIENT, "edge-a"), Cause.HOST_LEFT, false),
                "the registry's answer finds its clients here served");
        assertEquals(Map.of(Cause.HOST_LEFT, 1), a.replaced);
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void aClientThatTakesAnOfferAfterAStopIsPlacedAgainAtOnceNeverOnTheHostThatLeft(TestPolicies policy) throws ProtocolException {
        sim = new RelaySimulation(policy, RULES, 2);
        a = sim.edge("edge-a");
        a.join(HOST, DESKTOP, true);
        a.join(CLIENT, DESKTOP, true, true);
        assertEquals(P2pApi.Role.CLIENT, a.roles.get(CLIENT));
        offer(a);
        answer();
        a.leave(HOST); // the registry still lists the host while its client is placed again
        assertTrue(a.inbox(CLIENT).contains(EdgeMessages.stopOfferFollows(CLIENT, HOST)), a.inbox(CLIENT).toString());
        assertEquals(2, requests().size(), "placed again without asking");
        assertNotEquals(P2pApi.Role.CLIENT, a.roles.get(CLIENT), "no host but the one that left: served by the edge");
        assertEquals(OptionalLong.empty(), a.table.hostOf(CLIENT));
        assertEquals(Map.of(Cause.HOST_LEFT, 1), a.replaced);
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void hostLeftBeforeOffering(TestPolicies policy) {
        pair(policy, "edge-a");
        a.leave(HOST);
        assertReplaced(Cause.HOST_LEFT, null, false);
        assertEquals(P2pApi.Role.HOST, a.roles.get(CLIENT));
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void hostDrained(TestPolicies policy) throws ProtocolException {
        pair(policy, "edge-a");
        offer(a);
        a.drain();
        assertEquals(EdgeMessages.stop(HOST, CLIENT), a.last(HOST), "the host stays, told to stop relaying");
        assertReplaced(Cause.HOST_DRAINED, null, true);
        assertNull(sim.host(HOST));
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void hostDrainedOnAnotherEdgeIsAHostLeftHere(TestPolicies policy) throws ProtocolException {
        pair(policy, "edge-b");
        offer(b);
        b.drain();
        assertEquals(EdgeMessages.stop(HOST, CLIENT), b.last(HOST));
        assertReplaced(Cause.HOST_LEFT, null, true);
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void edgeLeft(TestPolicies policy) {
        pair(policy, "edge-b");
        b.join(3, DESKTOP); // another host on the dead edge with a free slot
        a.edgeLeft("edge-b");
        assertReplaced(Cause.EDGE_LEFT, null, false);
        assertEquals(P2pApi.Role.HOST, a.roles.get(CLIENT), "never placed on the dead edge's hosts");
    }

    /**
     * ClusterChurnTest once ended with a client playing "from" a host of a killed edge: its slot was reserved while the
     * dead edge's partitions moved, so the placement reached signalling after the edge-left sweep, and the host's
     * goodbye never came. A placement on a departed edge's host is undone as the sweep would have done.
     */
    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void aPlacementOnADepartedEdgesHostArrivingAfterTheSweepIsUndone(TestPolicies policy) {
        hostOnEdgeB(policy);
        a.execute(a.table.edgeLeft("edge-b")); // signalling heard it; classification answers from before
        a.join(CLIENT, DESKTOP);
        assertEquals(Map.of(Cause.EDGE_LEFT, 1), a.replaced);
        assertEquals(1, b.inbox(HOST).stream().filter(EdgeMessages.requestOfferP2p(HOST, CLIENT)::equals).count(),
                "asked once, by its edge as it granted the slot (before it died here), never again");
        assertEquals(2, requests().size(), "placed again without a word to it");
        assertEquals(Set.of(HOST), requests().get(1).excluded(), "not on that host again");
        assertEquals(P2pApi.Role.HOST, a.roles.get(CLIENT));
        assertTrue(a.timers.isEmpty());
        assertTrue(a.table.hasLeft("edge-b"));
        assertFalse(a.table.hasLeft("edge-a"));
    }

    /**
     * A split that heals brings the other side's edges back with their ids: until then they were departed, and a
     * placement on their hosts was undone; once they have joined again, clients play from their hosts again.
     */
    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void anEdgeBackAfterASplitIsNoLongerTreatedAsGone(TestPolicies policy) {
        hostOnEdgeB(policy);
        a.execute(a.table.edgeLeft("edge-b"));
        a.table.edgeJoined("edge-b");
        assertFalse(a.table.hasLeft("edge-b"));
        a.join(CLIENT, DESKTOP);
        assertEquals(Map.of(), a.replaced, "nothing undone");
        assertTrue(b.inbox(HOST).contains(EdgeMessages.requestOfferP2p(HOST, CLIENT)), "its host is asked to offer");
    }

    @Test
    void departedEdgesAreRememberedBoundedOldestForgottenFirst() {
        RelayTable table = new RelayTable("edge-a", RULES, new PeerCandidateFilter(true), () -> 0, session -> true, TRIAL_PEER_IDS);
        for (int i = 0; i <= RelayTable.MAX_DEPARTED_EDGES; i++) {
            table.edgeLeft("edge-" + i);
        }
        assertFalse(table.hasLeft("edge-0"));
        assertTrue(table.hasLeft("edge-1"));
        assertTrue(table.hasLeft("edge-" + RelayTable.MAX_DEPARTED_EDGES));
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void ourHostsDropTheClientsOfADeadEdge(TestPolicies policy) {
        pair(policy, "edge-b");
        b.edgeLeft("edge-a");
        assertEquals(EdgeMessages.stop(HOST, CLIENT), b.last(HOST));
        assertThrows(ProtocolException.class, () -> b.table.offerFromHost(HOST, CLIENT, OFFER, List.of()));
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void aRelayAcrossEdgesCarriesOfferAnswerAndCandidates(TestPolicies policy) throws ProtocolException {
        pair(policy, "edge-b");
        assertThrows(ProtocolException.class, () -> a.table.candidatesFromClient(CLIENT, HOST, List.of()),
                "nothing of the client's reaches the host before its offer");
        offer(b);
        IceCandidate candidate = new IceCandidate("candidate:1 1 udp 2122260223 192.0.2.10 50000 typ host", 0, "0", null);
        b.execute(b.table.candidatesFromHost(HOST, CLIENT, List.of(candidate)));
        assertEquals(EdgeMessages.peerCandidates("candidate", CLIENT, HOST, List.of(candidate)), a.last(CLIENT));
        answer();
        assertEquals(EdgeMessages.answerP2p(HOST, CLIENT, ANSWER), b.last(HOST));
        a.execute(a.table.candidatesFromClient(CLIENT, HOST, List.of(candidate)));
        assertEquals(EdgeMessages.peerCandidates("candidate_p2p", HOST, CLIENT, List.of(candidate)), b.last(HOST));
        assertEquals(List.of(P2pApi.RelayOutcome.OFFERED, P2pApi.RelayOutcome.CONNECTED),
                a.reports.stream().map(RelayAction.Report::outcome).toList());
        assertTrue(a.timers.isEmpty());
        assertTrue(a.replaced.isEmpty());
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void aReportingClientConnectsOnceItSaysSo(TestPolicies policy) throws ProtocolException {
        pair(policy, "edge-a");
        a.execute(a.table.stats(CLIENT, null, 0));
        offer(a);
        assertThrows(ProtocolException.class, () -> a.table.stats(CLIENT, "connected", HOST), "not answered yet");
        answer();
        assertEquals(0, a.relaysConnected);
        assertEquals(1, a.timers.size(), "the relay timeout runs until it connects");
        a.execute(a.table.stats(CLIENT, "connected", HOST));
        a.execute(a.table.stats(CLIENT, "connected", HOST));
        assertEquals(1, a.relaysConnected, "once per relay");
        assertTrue(a.timers.isEmpty());
        sim.advanceMillis(RULES.relayConnectTimeoutMillis());
        assertTrue(a.replaced.isEmpty());
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void aClientThatGivesUpOnItsHostCoolsDownThatPairAndRunsOutOfAttempts(TestPolicies policy) throws ProtocolException {
        pair(policy, "edge-a");
        assertThrows(ProtocolException.class, () -> a.table.checkNoOfferPending(CLIENT), "409: its offer is on its way");
        offer(a);
        a.table.checkNoOfferPending(CLIENT);
        a.execute(a.table.stopRelay(CLIENT, HOST));
        assertEquals(EdgeMessages.stop(HOST, CLIENT), a.last(HOST));
        assertTrue(a.replaced.isEmpty(), "its own choice is not a re-placement");
        a.execute(a.table.requestOffer(CLIENT, false, false));
        assertEquals(Set.of(HOST), requests().get(1).excluded());
        assertFalse(requests().get(1).edgeOnly());
        sim.advanceMillis(RULES.pairCooldownMillis());
        assertEquals(List.of(), a.table.requestOffer(CLIENT, false, false).stream().filter(x -> x instanceof RelayAction.Classify c
                && !c.excluded().isEmpty()).toList(), "the cooldown is over");
    }

    @Test
    void hostsThatFailedAClientCountTowardsItsAttempts() {
        List<Long> online = new ArrayList<>(List.of(2L));
        long[] now = {0};
        RelayTable table = new RelayTable("e", RULES, new PeerCandidateFilter(true), () -> now[0], online::contains, RelayTableTest.TRIAL_PEER_IDS);
        for (long host = 10; host < 10 + RULES.maxHostAttemptsPerClient(); host++) {
            table.requestOffer(CLIENT, false, false);
            List<RelayAction> asked = table.placedOnHost(CLIENT, "10.0.0.2", new RelayTable.Peer(host, "e"), true, false);
            table.hostUnreachable(((RelayAction.AskHost) asked.get(1)).relay());
        }
        RelayAction.Classify last = (RelayAction.Classify) table.requestOffer(CLIENT, false, false).get(0);
        assertEquals(Set.of(10L, 11L), last.excluded());
        assertTrue(last.edgeOnly(), "out of host attempts: served by the edge");
    }

    @Test
    void strangersAndCandidatesAimedAtThePeersOwnNetworkAreNotRelayed() throws ProtocolException {
        RelayTable table = new RelayTable("e", RULES, new PeerCandidateFilter(false), () -> 0, s -> true, RelayTableTest.TRIAL_PEER_IDS);
        assertThrows(ProtocolException.class, () -> table.answerFromClient(CLIENT, HOST, ANSWER));
        assertThrows(ProtocolException.class, () -> table.offerFromHost(HOST, CLIENT, OFFER, List.of()));
        assertThrows(ProtocolException.class, () -> table.stopRelay(HOST, CLIENT));
        table.placedOnHost(CLIENT, "10.0.0.2", new RelayTable.Peer(HOST, "e"), true, false);
        assertThrows(ProtocolException.class, () -> table.answerFromClient(CLIENT, HOST, ANSWER), "no offer yet");
        assertThrows(ProtocolException.class, () -> table.answerFromClient(CLIENT, 9, ANSWER), "not its host");
        IceCandidate loopback = new IceCandidate("candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host", 0, "0", null);
        List<RelayAction> actions = table.offerFromHost(HOST, CLIENT, OFFER, List.of(loopback));
        assertEquals(1, actions.stream().filter(x -> x instanceof RelayAction.CandidateDropped).count());
        assertTrue(actions.contains(new RelayAction.ToPlayer(CLIENT, EdgeMessages.offer(CLIENT, HOST, OFFER, List.of(), List.of()))));
        assertEquals(List.of(), table.offerFromHost(HOST, CLIENT, OFFER, List.of()).stream()
                .filter(x -> x instanceof RelayAction.ToPlayer).toList(), "a second offer is ignored");
    }

    @org.junit.jupiter.api.Test
    void aRelayTriedAgainstThePredictionHasTheShortConnectBound() throws ProtocolException {
        for (boolean predicted : new boolean[]{true, false}) {
            RelayTable table = new RelayTable("e", RULES, new PeerCandidateFilter(true), () -> 0L, id -> true, RelayTableTest.TRIAL_PEER_IDS);
            table.placedOnHost(CLIENT, "10.0.0.2", new RelayTable.Peer(HOST, "e"), predicted, false);
            List<Long> armed = table.offerFromHost(HOST, CLIENT, OFFER, List.of()).stream()
                    .filter(RelayAction.ArmTimer.class::isInstance).map(a -> ((RelayAction.ArmTimer) a).delayMillis()).toList();
            assertEquals(List.of(predicted ? RULES.relayConnectTimeoutMillis() : RULES.unprovenRelayTimeoutMillis()), armed,
                    predicted ? "predicted to connect" : "unproven");
        }
    }

    /** The outcomes reported by these actions. */
    private static List<P2pApi.RelayOutcome> outcomes(List<RelayAction> actions) {
        return actions.stream().filter(RelayAction.Report.class::isInstance).map(a -> ((RelayAction.Report) a).outcome()).toList();
    }

    @org.junit.jupiter.api.Test
    void aSilentClientThatGivesUpSoonAfterAnsweringIsReportedAsUnseen() throws ProtocolException {
        long[] nanos = {0};
        RelayTable table = new RelayTable("e", RULES, new PeerCandidateFilter(true), () -> nanos[0], id -> true, RelayTableTest.TRIAL_PEER_IDS);
        table.placedOnHost(CLIENT, "198.51.100.7", new RelayTable.Peer(HOST, "e"), true, false);
        table.offerFromHost(HOST, CLIENT, OFFER, List.of());
        table.answerFromClient(CLIENT, HOST, ANSWER); // no stats before: taken as connected (OvenPlayer)
        nanos[0] += 20_000_000_000L;
        List<RelayAction> reasked = table.requestOffer(CLIENT, false, false);
        assertEquals(List.of(P2pApi.RelayOutcome.GAVE_UP_UNSEEN), outcomes(reasked), "asked again 20 s after its answer");
        RelayAction.Report report = (RelayAction.Report) reasked.stream().filter(RelayAction.Report.class::isInstance).findFirst().orElseThrow();
        assertEquals("198.51.100.7", report.clientAddress());

        table.placedOnHost(CLIENT, "198.51.100.7", new RelayTable.Peer(3, "e"), true, false);
        table.offerFromHost(3, CLIENT, OFFER, List.of());
        table.answerFromClient(CLIENT, 3, ANSWER);
        nanos[0] += RULES.silentGiveUpMillis() * 1_000_000;
        assertEquals(List.of(), outcomes(table.sessionClosed(CLIENT)), "it watched a minute: nothing to suspect");
    }

    @org.junit.jupiter.api.Test
    void aClientThatReportsItsRelayIsNeverSuspected() throws ProtocolException {
        RelayTable table = new RelayTable("e", RULES, new PeerCandidateFilter(true), () -> 0L, id -> true, RelayTableTest.TRIAL_PEER_IDS);
        table.stats(CLIENT, null, 0); // the project's page says it reports
        table.placedOnHost(CLIENT, "198.51.100.7", new RelayTable.Peer(HOST, "e"), true, false);
        table.offerFromHost(HOST, CLIENT, OFFER, List.of());
        table.answerFromClient(CLIENT, HOST, ANSWER);
        assertEquals(List.of(), outcomes(table.sessionClosed(CLIENT)));
    }

    /** The peer id of the trial request_offer_p2p in {@code message} (none: -1). */
    private static long trialPeer(String message) {
        io.vertx.core.json.JsonObject json = new io.vertx.core.json.JsonObject(message);
        return "request_offer_p2p".equals(json.getString("command")) ? json.getLong("peer_id") : -1;
    }

    @Test
    void aHostThatDoesNotReportItsRelaysHostsOnlyOnceItAnsweredATrial() throws ProtocolException {
        sim = new RelaySimulation(TestPolicies.MEASURED, RULES, 2);
        a = sim.edge("edge-a");
        a.join(HOST, DESKTOP, false);
        assertEquals(P2pApi.Role.HOST, a.roles.get(HOST));
        long trial = trialPeer(a.last(HOST));
        assertTrue(trial >= SessionIds.LIMIT && trial <= Integer.MAX_VALUE, "asked to offer to a peer that is no session: " + a.inbox(HOST));
        assertNull(sim.host(HOST), "not registered before it answers");
        a.join(CLIENT, DESKTOP, false);
        assertEquals(P2pApi.Role.HOST, a.roles.get(CLIENT), "nobody is placed on a host on trial (it is tried in turn)");

        sim.advanceMillis(120);
        a.execute(a.table.offerFromHost(HOST, trial, OFFER, List.of()));
        assertEquals(EdgeMessages.stop(HOST, trial), a.last(HOST), "the trial's connection is dropped at once");
        assertEquals(List.of(new RelayAction.HostTried(HOST, true, 120)), a.trials);
        assertEquals(1, sim.host(HOST).health().offers(), "its answer counts as its first offer");
        assertEquals(120, sim.host(HOST).health().meanOfferMillis());
        assertTrue(a.timers.keySet().stream().noneMatch(t -> t.client() == HOST), "no timer left for its trial");
        // What the host still says about its trial goes nowhere, and is no error.
        assertEquals(List.of(), a.table.candidatesFromHost(HOST, trial, List.of()));
        assertEquals(List.of(), a.table.offerFromHost(HOST, trial, OFFER, List.of()));
        assertEquals(List.of(), a.table.stopRelay(HOST, trial));

        long third = 3;
        a.join(third, DESKTOP);
        assertEquals(P2pApi.Role.CLIENT, a.roles.get(third), "a host that answered takes clients");
        assertEquals(EdgeMessages.requestOfferP2p(HOST, third), a.last(HOST));
    }

    @Test
    void aHostSilentInItsTrialNeverHostsAndNobodyWaitsOnIt() {
        sim = new RelaySimulation(TestPolicies.MEASURED, RULES, 2);
        a = sim.edge("edge-a");
        a.join(HOST, DESKTOP, false);
        long trial = trialPeer(a.last(HOST));
        sim.advanceMillis(RULES.hostOfferTimeoutMillis());
        assertEquals(List.of(new RelayAction.HostTried(HOST, false, RULES.hostOfferTimeoutMillis())), a.trials);
        assertEquals(EdgeMessages.stop(HOST, trial), a.last(HOST), "a late offer's connection is dropped");
        assertNull(sim.host(HOST));
        a.join(CLIENT, DESKTOP);
        assertEquals(P2pApi.Role.HOST, a.roles.get(CLIENT), "served by the edge at once: " + a.inbox(CLIENT));
        a.execute(a.table.requestOffer(HOST, false, false));
        assertEquals(P2pApi.Role.CLIENT, a.roles.get(HOST), "asking again, it may play from a host, never be one");
        assertEquals(1, a.trials.size(), "tried once");
    }

    @Test
    void playersThatReportTheirRelaysAndOvenMediaEnginesPolicyHaveNoTrial() {
        for (TestPolicies policy : TestPolicies.values()) {
            for (boolean reports : new boolean[] {true, false}) {
                if (policy == TestPolicies.MEASURED && !reports) {
                    continue; // the one case with a trial
                }
                sim = new RelaySimulation(policy, RULES, 2);
                a = sim.edge("edge-a");
                a.join(HOST, DESKTOP, reports);
                assertEquals(List.of(), a.inbox(HOST).stream().filter(m -> trialPeer(m) >= 0).toList(), policy + ", reports " + reports);
                a.join(CLIENT, DESKTOP);
                assertEquals(P2pApi.Role.CLIENT, a.roles.get(CLIENT), policy + ", reports " + reports);
                assertEquals(List.of(), a.trials);
            }
        }
    }

    @Test
    void aHostThatLeavesDuringItsTrialLeavesNoTimer() {
        sim = new RelaySimulation(TestPolicies.MEASURED, RULES, 2);
        a = sim.edge("edge-a");
        a.join(HOST, DESKTOP, false);
        assertEquals(1, a.timers.size());
        a.leave(HOST);
        assertTrue(a.timers.isEmpty());
        sim.advanceMillis(RULES.hostOfferTimeoutMillis());
        assertEquals(List.of(), a.trials);
    }

    @Test
    void aMovedClientKeepsItsEdgeConnectionUntilItsRelayConnects() throws ProtocolException {
        RelayTable table = new RelayTable("e", RULES, new PeerCandidateFilter(true), () -> 0L, id -> true, TRIAL_PEER_IDS);
        table.requestOffer(CLIENT, true, false);
        List<RelayAction> placed = table.placedOnHost(CLIENT, "10.0.0.2", new RelayTable.Peer(HOST, "e"), true, true);
        assertFalse(placed.stream().anyMatch(x -> x instanceof RelayAction.ReleaseEdge));
        table.offerFromHost(HOST, CLIENT, OFFER, List.of());
        assertFalse(table.answerFromClient(CLIENT, HOST, ANSWER).stream().anyMatch(x -> x instanceof RelayAction.ReleaseEdge),
                "answered is not connected, for a client that reports");
        List<RelayAction> connected = table.stats(CLIENT, "connected", HOST);
        assertEquals(1, connected.stream().filter(x -> x.equals(new RelayAction.ReleaseEdge(CLIENT))).count(), connected.toString());

        RelayTable other = new RelayTable("e", RULES, new PeerCandidateFilter(true), () -> 0L, id -> true, TRIAL_PEER_IDS);
        other.requestOffer(CLIENT, true, false);
        other.placedOnHost(CLIENT, "10.0.0.2", new RelayTable.Peer(HOST, "e"), true, false);
        other.offerFromHost(HOST, CLIENT, OFFER, List.of());
        other.answerFromClient(CLIENT, HOST, ANSWER);
        assertFalse(other.stats(CLIENT, "connected", HOST).stream().anyMatch(x -> x instanceof RelayAction.ReleaseEdge),
                "a client placed on a host had no edge connection to keep");
    }

    @Test
    void aHostsOfferThatOvertakesItsGrantIsHeldUntilThePlacementArrives() {
        long[] now = {0};
        RelayTable table = new RelayTable("edge-a", RULES, new PeerCandidateFilter(true), () -> now[0], id -> true, TRIAL_PEER_IDS);
        table.requestOffer(CLIENT, false, false);
        assertEquals(List.of(), table.fromHostEdge(EdgeLink.OFFER, HOST, CLIENT, "edge-b", OFFER, List.of()), "not placed here yet");
        assertEquals(List.of(), table.fromHostEdge(EdgeLink.OFFER, HOST, CLIENT, "edge-c", OFFER, List.of()), "another edge's host 1");
        List<RelayAction> placed = table.placedOnHost(CLIENT, "10.0.0.2", new RelayTable.Peer(HOST, "edge-b"), true, false);
        assertFalse(placed.stream().anyMatch(RelayAction.AskHost.class::isInstance), "its edge asked the host when it granted the slot");
        assertEquals(List.of(new RelayAction.ToPlayer(CLIENT, EdgeMessages.offer(CLIENT, HOST, OFFER, List.of(), List.of()))),
                placed.stream().filter(RelayAction.ToPlayer.class::isInstance).toList(), "the offer held, once (edge-c's is not its host's)");
        assertEquals(List.of(P2pApi.RelayOutcome.OFFERED), outcomes(placed));

        RelayTable late = new RelayTable("edge-a", RULES, new PeerCandidateFilter(true), () -> now[0], id -> true, TRIAL_PEER_IDS);
        late.fromHostEdge(EdgeLink.OFFER, HOST, CLIENT, "edge-b", OFFER, List.of());
        now[0] += EarlyHostMessages.KEEP_NANOS + 1;
        assertEquals(List.of(), late.placedOnHost(CLIENT, "10.0.0.2", new RelayTable.Peer(HOST, "edge-b"), true, false).stream()
                .filter(RelayAction.ToPlayer.class::isInstance).toList(), "an offer held longer than a grant can take belongs to no placement");
    }

    @Test
    void aHostGoneWhenItsSlotWasGrantedHasItsClientPlacedAgainAtOnce() {
        RelayTable hostEdge = new RelayTable("edge-b", RULES, new PeerCandidateFilter(true), () -> 0L, id -> id != HOST, TRIAL_PEER_IDS);
        RelayAction.ToClientEdge gone = new RelayAction.ToClientEdge("edge-a", EdgeLink.HOST_GONE, HOST, CLIENT, null, null);
        assertEquals(List.of(gone), hostEdge.slotGranted(HOST, CLIENT, "edge-a"));

        RelayTable clientEdge = new RelayTable("edge-a", RULES, new PeerCandidateFilter(true), () -> 0L, id -> true, TRIAL_PEER_IDS);
        clientEdge.requestOffer(CLIENT, false, false);
        assertEquals(List.of(), clientEdge.fromHostEdge(gone.kind(), HOST, CLIENT, "edge-b", null, null), "before the grant got here");
        List<RelayAction> placed = clientEdge.placedOnHost(CLIENT, "10.0.0.2", new RelayTable.Peer(HOST, "edge-b"), true, false);
        assertTrue(placed.contains(new RelayAction.Replaced(Cause.HOST_GONE)), placed.toString());
        assertEquals(List.of(P2pApi.RelayOutcome.HOST_FAILED), outcomes(placed), "placed again once recorded, that host excluded");
        assertEquals(OptionalLong.empty(), clientEdge.hostOf(CLIENT));
    }

    @Test
    void aSlotGivenBackBeforeTheRelayWasKnownStopsTheHostOnce() {
        RelayTable hostEdge = new RelayTable("edge-b", RULES, new PeerCandidateFilter(true), () -> 0L, id -> true, TRIAL_PEER_IDS);
        assertEquals(List.of(new RelayAction.ToPlayer(HOST, EdgeMessages.requestOfferP2p(HOST, CLIENT))),
                hostEdge.slotGranted(HOST, CLIENT, "edge-a"));
        assertEquals(List.of(new RelayAction.ToPlayer(HOST, EdgeMessages.stop(HOST, CLIENT))), hostEdge.slotReleased(HOST, CLIENT));
        assertEquals(List.of(), hostEdge.toHostFromEdge(HOST, CLIENT, EdgeMessages.stop(HOST, CLIENT), true), "the pairing is gone");
        assertEquals(List.of(), hostEdge.slotReleased(HOST, CLIENT));
        assertThrows(ProtocolException.class, () -> hostEdge.offerFromHost(HOST, CLIENT, OFFER, List.of()), "a late offer goes nowhere");

        hostEdge.edgeLeft("edge-a");
        assertEquals(List.of(), hostEdge.slotGranted(HOST, CLIENT, "edge-a"), "a grant to an edge announced gone asks no host");
    }
}
