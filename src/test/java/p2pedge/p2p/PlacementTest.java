package p2pedge.p2p;

import p2pedge.config.EdgeConfig.P2pConsent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import p2pedge.testing.LocalPlacement;
import p2pedge.testing.TestPolicies;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pedge.testing.TestPolicies.DESKTOP;
import static p2pedge.testing.TestPolicies.PHONE;

/** The role decision, pure, under both policies: requests run against a local registry that answers at once. */
class PlacementTest {

    /** Every player here comes from one public address: any pair can relay. */
    private static final Reachability ONE_NETWORK = Reachability.unmeasured("192.0.2.1");

    private static final String EDGE = "edge-1";
    private static final String STREAM = "app/stream";

    private final long[] now = {1_000};
    private final HostReputation reputation = new HostReputation(new HostReputation.Rules(2, 2, 600_000, true), () -> now[0]);
    private final LocalHostRegistry registry = new LocalHostRegistry();

    private Placement placement(TestPolicies policy, boolean p2pOn, int capacity) {
        return new Placement(TestPolicies.settings(EDGE, p2pOn, capacity), policy.policy(reputation), () -> now[0]);
    }

    private Placement placement(TestPolicies policy) {
        return placement(policy, true, 2);
    }

    /** One request, executed as the classification verticle does. */
    private Placement.Plan place(Placement placement, long session, String userAgent, Set<Long> excluded, boolean edgeOnly) {
        return place(placement, session, userAgent, ONE_NETWORK, excluded, edgeOnly);
    }

    private Placement.Plan place(Placement placement, long session, String userAgent, Reachability reachability,
                                 Set<Long> excluded, boolean edgeOnly) {
        return LocalPlacement.execute(placement, registry,
                placement.request(session, STREAM, userAgent, reachability, excluded, edgeOnly, true));
    }

    private Placement.Plan place(Placement placement, long session, String userAgent) {
        return place(placement, session, userAgent, Set.of(), false);
    }

    /** A player placed as host (no other host may take it) whose media is up: registered under either policy. */
    private void host(Placement placement, long session) {
        Set<Long> others = new HashSet<>();
        registry.snapshot().result().forEach(h -> others.add(h.hostId()));
        assertInstanceOf(Placement.Host.class, place(placement, session, DESKTOP, others, false));
        placement.mediaConnected(session).ifPresent(registry::register);
    }

    private HostEntry entry(long host) {
        return registry.snapshot().result().stream().filter(h -> h.hostId() == host).findFirst().orElse(null);
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void aDesktopHostsWhenNoHostHasRoomAndTheNextOneIsItsClient(TestPolicies policy) {
        Placement placement = placement(policy);
        Placement.Plan first = place(placement, 1, DESKTOP);
        assertEquals(new Placement.Host(policy.waitsForMedia() ? null : entry(1)), first);
        assertEquals(policy.waitsForMedia(), entry(1) == null, "registered on offer (ome) or once its media is up (measured)");
        Optional<HostEntry> onMedia = placement.mediaConnected(1);
        assertEquals(policy.waitsForMedia(), onMedia.isPresent());
        onMedia.ifPresent(registry::register);
        assertTrue(placement.mediaConnected(1).isEmpty(), "registered once");

        Placement.Plan second = place(placement, 2, DESKTOP);
        assertEquals(new Placement.Client(1, EDGE, true), second);
        assertEquals(Map.of(2L, EDGE), entry(1).clients());
        P2pApi.Placement answer = placement.answer(placement.request(3, STREAM, DESKTOP, ONE_NETWORK, Set.of(), true, true), second);
        assertEquals(P2pApi.Role.CLIENT, answer.role());
        assertEquals(1, answer.hostId());
        assertEquals(EDGE, answer.hostEdge());
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void aPlayerThatMayNotHostIsServedByTheEdgeWhenNoHostOfItsFamilyHasRoom(TestPolicies policy) {
        Placement placement = placement(policy);
        assertEquals(new Placement.Edge(), place(placement, 1, PHONE));
        host(placement, 2);
        assertEquals(new Placement.Edge(), place(placement, 3, PHONE), "another family");
        assertEquals(new Placement.Edge(), place(placement, 4, "curl/8.0"), "no family");
        assertEquals(Map.of(), entry(2).clients());
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void aFullHostTakesNoMoreClients(TestPolicies policy) {
        Placement placement = placement(policy, true, 1);
        host(placement, 1);
        assertEquals(new Placement.Client(1, EDGE, true), place(placement, 2, DESKTOP));
        assertInstanceOf(Placement.Host.class, place(placement, 3, DESKTOP), "host 1 is full: 3 hosts itself");
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void excludedHostsAndPlayersOutOfAttemptsGetNoHost(TestPolicies policy) {
        Placement placement = placement(policy);
        host(placement, 1);
        assertInstanceOf(Placement.Host.class, place(placement, 2, DESKTOP, Set.of(1L), false));
        Placement.Request edgeOnly = placement.request(3, STREAM, DESKTOP, ONE_NETWORK, Set.of(), true, true);
        assertTrue(edgeOnly.search().isEmpty(), "out of host attempts: no host is looked for");
        assertEquals(Map.of(), entry(1).clients());
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void aClientAskingAgainGivesItsSlotBackFirstAndAHostNeverBecomesAClient(TestPolicies policy) {
        Placement placement = placement(policy);
        host(placement, 1);
        host(placement, 2);
        assertEquals(new Placement.Client(1, EDGE, true), place(placement, 3, DESKTOP));
        Placement.Request again = placement.request(3, STREAM, DESKTOP, ONE_NETWORK, Set.of(1L), false, true);
        assertEquals(1, again.releaseFrom());
        assertTrue(placement.request(1, STREAM, DESKTOP, ONE_NETWORK, Set.of(), false, true).search().isEmpty(), "a registered host");
        assertEquals(new Placement.Host(null), placement.decide(placement.request(1, STREAM, DESKTOP, ONE_NETWORK, Set.of(), false, true), Optional.empty()));
        registry.release(1, 3);
        assertEquals(new Placement.Client(2, EDGE, true), placement.decide(again, registry.reserve(STREAM, again.search().get().family(), 3,
                EDGE, Set.of(1L), again.search().get().accepts(), again.search().get().score()).result()));
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void p2pOffOrNoCapacityServesEveryoneFromTheEdge(TestPolicies policy) {
        for (Placement placement : new Placement[]{placement(policy, false, 2), placement(policy, true, 0)}) {
            Placement.Request request = placement.request(1, STREAM, DESKTOP, ONE_NETWORK, Set.of(), false, true);
            assertTrue(request.search().isEmpty());
            assertEquals(new Placement.Edge(), placement.decide(request, Optional.empty()));
            assertTrue(placement.mediaConnected(1).isEmpty());
        }
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void aDrainingEdgeTakesNoNewHosts(TestPolicies policy) {
        Placement placement = placement(policy);
        assertInstanceOf(Placement.Host.class, place(placement, 1, DESKTOP));
        placement.drain();
        assertEquals(new Placement.Edge(), place(placement, 2, DESKTOP, Set.of(1L), false));
        assertTrue(placement.mediaConnected(1).isEmpty(), "a host waiting for its media is not registered any more");
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void hostsOfADepartedEdgeOrInBadStandingAreNeverCandidates(TestPolicies policy) {
        Placement placement = placement(policy);
        Placement.Search search = placement.request(1, STREAM, DESKTOP, ONE_NETWORK, Set.of(), false, true).search().orElseThrow();
        HostEntry remote = new HostEntry(7, "edge-2", STREAM, search.family(), 2, Map.of(), HostHealth.NEW, ONE_NETWORK, 0);
        assertTrue(search.accepts().test(remote));
        assertFalse(search.accepts().test(remote.withHealth(HostHealth.NEW.hostFailed())), "failed before it ever offered");
        HostHealth offeredThenSilent = HostHealth.NEW.offered(100).hostFailed();
        assertEquals(policy == TestPolicies.MEASURED, search.accepts().test(remote.withHealth(offeredThenSilent)),
                "ome gives up after one failure of the host's own; measured after maxHostFailures");
        placement.edgeLeft("edge-2");
        assertFalse(search.accepts().test(remote));
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void relayOutcomesUpdateTheHostAndFreeTheSlotOfFailedRelays(TestPolicies policy) {
        Placement placement = placement(policy);
        host(placement, 1);
        place(placement, 2, DESKTOP);
        Placement.RelayResult offered = placement.relayResult(1, 2, P2pApi.RelayOutcome.OFFERED, "10.0.0.2", now[0], 300);
        assertFalse(offered.release());
        assertEquals(HealthEvent.offered(300), offered.health());
        assertEquals(HealthEvent.relay("10.0.0.2", true, now[0]),
                placement.relayResult(1, 2, P2pApi.RelayOutcome.CONNECTED, "10.0.0.2", now[0], 900).health());
        assertEquals(1, placement.request(2, STREAM, DESKTOP, ONE_NETWORK, Set.of(), false, true).releaseFrom(), "connected: it holds its slot");
        place(placement, 3, DESKTOP);
        for (P2pApi.RelayOutcome outcome : new P2pApi.RelayOutcome[]{P2pApi.RelayOutcome.FAILED,
                P2pApi.RelayOutcome.HOST_FAILED, P2pApi.RelayOutcome.ABANDONED}) {
            place(placement, 3, DESKTOP);
            Placement.RelayResult ended = placement.relayResult(1, 3, outcome, "10.0.0.3", now[0], 100);
            assertTrue(ended.release(), outcome.name());
            assertEquals(0, placement.request(3, STREAM, DESKTOP, ONE_NETWORK, Set.of(), false, true).releaseFrom(), outcome + ": no slot to give back");
        }
        assertNull(placement.relayResult(1, 3, P2pApi.RelayOutcome.ABANDONED, "10.0.0.3", now[0], 100).health(),
                "abandoned: nothing learnt about the host");
        assertEquals(HealthEvent.hostFailed(), placement.relayResult(1, 3, P2pApi.RelayOutcome.HOST_FAILED, "x", now[0], 1).health());
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void aPlayerThatLeftGivesBackWhatItHeldEvenWhenItLeftWhileTheRegistryAnswered(TestPolicies policy) {
        Placement placement = placement(policy);
        host(placement, 1);
        Placement.Request pending = placement.request(2, STREAM, DESKTOP, ONE_NETWORK, Set.of(), false, true);
        assertFalse(placement.leftMeanwhile(pending));
        assertEquals(Optional.of(new Placement.Leaving(0, false)), placement.leave(2));
        assertTrue(placement.leftMeanwhile(pending), "its placement is to be undone");
        assertTrue(placement.leave(2).isEmpty(), "once");

        assertEquals(new Placement.Client(1, EDGE, true), place(placement, 3, DESKTOP));
        assertEquals(Optional.of(new Placement.Leaving(0, true)), placement.leave(1));
        placement.orphaned(1, Set.of(3L));
        assertEquals(0, placement.request(3, STREAM, DESKTOP, ONE_NETWORK, Set.of(), false, true).releaseFrom(), "its host is gone with the slot");
        assertEquals(Optional.of(new Placement.Leaving(0, false)), placement.leave(3));
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void aClientThatLeavesGivesItsSlotBack(TestPolicies policy) {
        Placement placement = placement(policy);
        host(placement, 1);
        place(placement, 2, DESKTOP);
        Placement.Leaving leaving = placement.leave(2).orElseThrow();
        assertEquals(new Placement.Leaving(1, false), leaving);
        assertNotNull(entry(1));
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void aClientGoesOnlyToAHostItCanReachAcrossNats(TestPolicies policy) {
        Placement placement = placement(policy);
        Reachability coneHome = new Reachability("198.51.100.1", NatMapping.ENDPOINT_INDEPENDENT);
        assertInstanceOf(Placement.Host.class, place(placement, 1, DESKTOP, coneHome, Set.of(), false));
        placement.mediaConnected(1).ifPresent(registry::register);
        Reachability symmetric = new Reachability("198.51.100.2", NatMapping.ENDPOINT_DEPENDENT);
        Reachability unmeasured = Reachability.unmeasured("198.51.100.3");
        Reachability otherCone = new Reachability("198.51.100.4", NatMapping.ENDPOINT_INDEPENDENT);
        Reachability sameHome = Reachability.unmeasured("198.51.100.1");
        assertFalse(place(placement, 2, DESKTOP, symmetric, Set.of(), false) instanceof Placement.Client,
                "a symmetric NAT's player never plays from a host in another home");
        assertFalse(place(placement, 3, DESKTOP, unmeasured, Set.of(), false) instanceof Placement.Client,
                "nor one whose NAT is unknown (OvenPlayer, UDP blocked)");
        assertEquals(new Placement.Client(1, EDGE, true), place(placement, 4, DESKTOP, otherCone, Set.of(), false),
                "two cone NATs: a relay through STUN");
        assertEquals(new Placement.Client(1, EDGE, true), place(placement, 5, DESKTOP, sameHome, Set.of(), false),
                "the same home, whatever its NAT");
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void pairsPredictedToFailAreTriedOnlyWhenAskedAndThenMarkedUnproven(TestPolicies policy) {
        Placement blind = new Placement(new Placement.Settings(EDGE, true, 2, false, true, TestPolicies.LEARNING, null, null),
                policy.policy(reputation), () -> now[0]);
        Reachability coneHome = new Reachability("198.51.100.1", NatMapping.ENDPOINT_INDEPENDENT);
        assertInstanceOf(Placement.Host.class, place(blind, 1, DESKTOP, coneHome, Set.of(), false));
        blind.mediaConnected(1).ifPresent(registry::register);
        Reachability symmetric = new Reachability("198.51.100.2", NatMapping.ENDPOINT_DEPENDENT);
        assertEquals(new Placement.Client(1, EDGE, false), place(blind, 2, DESKTOP, symmetric, Set.of(), false),
                "tried all the same, as unproven (the short connect bound)");
        assertEquals(new Placement.Client(1, EDGE, true), place(blind, 3, DESKTOP,
                new Reachability("198.51.100.3", NatMapping.ENDPOINT_INDEPENDENT), Set.of(), false));
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void aKindOfPairWhoseRelaysKeepFailingIsNotTriedUntilItsCooldownEnds(TestPolicies policy) {
        Placement placement = new Placement(TestPolicies.settings(EDGE, true, 1), policy.policy(reputation), () -> now[0]);
        Reachability coneHome = new Reachability("198.51.100.1", NatMapping.ENDPOINT_INDEPENDENT);
        assertInstanceOf(Placement.Host.class, place(placement, 1, DESKTOP, coneHome, Set.of(), false));
        placement.mediaConnected(1).ifPresent(registry::register);
        // Four cone homes in a row: each placed on the host, each relay fails after the offer (a network where
        // cone NATs do not let peers in). The host's own record is left alone here: only the kind is learnt.
        for (long client = 2; client <= 5; client++) {
            Reachability otherCone = new Reachability("198.51.100." + (10 + client), NatMapping.ENDPOINT_INDEPENDENT);
            assertEquals(new Placement.Client(1, EDGE, true), place(placement, client, DESKTOP, otherCone, Set.of(), false),
                    "cone>cone is tried while it has not failed 4 times: client " + client);
            assertTrue(placement.relayResult(1, client, P2pApi.RelayOutcome.FAILED, "w" + client, now[0], 500).release());
            registry.release(1, client);
        }
        PairKind coneToCone = new PairKind(false, NatMapping.ENDPOINT_INDEPENDENT, NatMapping.ENDPOINT_INDEPENDENT);
        assertEquals(Set.of(coneToCone), placement.stoppedPairs());
        Reachability nextCone = new Reachability("198.51.100.30", NatMapping.ENDPOINT_INDEPENDENT);
        assertFalse(place(placement, 6, DESKTOP, nextCone, Set.of(), false) instanceof Placement.Client,
                "after 4 failures in 4 relays, cone>cone is not tried");
        assertEquals(new Placement.Client(1, EDGE, true), place(placement, 7, DESKTOP, Reachability.unmeasured("198.51.100.1"),
                Set.of(), false), "another kind (one network) still is");
        placement.leave(7).ifPresent(l -> registry.release(l.hostOf(), 7));
        now[0] += 600_000;
        assertEquals(Set.of(), placement.stoppedPairs());
        assertEquals(new Placement.Client(1, EDGE, true), place(placement, 8, DESKTOP, nextCone, Set.of(), false),
                "after the cooldown it is tried afresh");
    }

    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void aNetworkWhoseSilentClientGaveUpAndCameBackKeepsItsUnmeasuredPlayersOffHostsForTheCooldown(TestPolicies policy) {
        Placement placement = placement(policy);
        Reachability home = Reachability.unmeasured("198.51.100.1");
        assertInstanceOf(Placement.Host.class, place(placement, 1, DESKTOP, home, Set.of(), false));
        placement.mediaConnected(1).ifPresent(registry::register);
        placement.gaveUpUnseen("198.51.100.1");
        now[0] += Placement.RELOAD_WINDOW_MILLIS + 1;
        assertEquals(new Placement.Client(1, EDGE, true), place(placement, 2, DESKTOP, home, Set.of(), false),
                "a give-up nobody came back after is no sign: the viewer just left");
        placement.leave(2).ifPresent(l -> registry.release(l.hostOf(), 2));

        placement.gaveUpUnseen("198.51.100.1");
        now[0] += 5_000;
        assertFalse(place(placement, 3, DESKTOP, home, Set.of(), false) instanceof Placement.Client,
                "a player of that network asking 5 s after the give-up (a reload) plays from the edge");
        assertFalse(place(placement, 4, DESKTOP, home, Set.of(), false) instanceof Placement.Client,
                "and so do its other unmeasured players, for the cooldown");
        Reachability measured = new Reachability("198.51.100.1", NatMapping.ENDPOINT_INDEPENDENT);
        assertEquals(new Placement.Client(1, EDGE, true), place(placement, 5, DESKTOP, measured, Set.of(), false),
                "a player that reports its relays (it probed) is still placed there");
        placement.leave(5).ifPresent(l -> registry.release(l.hostOf(), 5));
        now[0] += TestPolicies.LEARNING.cooldownMillis();
        assertEquals(new Placement.Client(1, EDGE, true), place(placement, 6, DESKTOP, home, Set.of(), false),
                "after the cooldown, that network's players are paired again");
    }

    @Test
    void aPlayerThatMayNotHostWaitsAtTheEdgeUntilAHostGainsASlotThenMovesOntoIt() {
        // Measured policy, one family: "desktop" may host, "phone" may only be a client.
        PeerProfile desktop = new PeerProfile("Blink", true, "desktop");
        PeerProfile phone = new PeerProfile("Blink", false, "phone");
        Placement placement = new Placement(new Placement.Settings(EDGE, true, 4, false, false, TestPolicies.LEARNING,
                new Regrouping.Rules(3_000, 60_000, 2), new HostCapacity.Rules(1, 4, 1.2, 10_000, 6_000, 120_000)),
                new MeasuredPolicy(ua -> ua.equals("phone") ? phone : desktop, reputation), () -> now[0]);
        assertInstanceOf(Placement.Host.class, place(placement, 1, "desktop", Set.of(), false));
        registry.register(placement.mediaConnected(1).orElseThrow());
        assertEquals(1, registry.snapshot().result().iterator().next().capacity(), "a new host has the start slots");
        assertInstanceOf(Placement.Client.class, place(placement, 2, "desktop", Set.of(), false));
        assertInstanceOf(Placement.Edge.class, place(placement, 3, "phone", Set.of(), false), "no slot left: the edge");
        assertInstanceOf(Placement.Edge.class, place(placement, 4, "phone", Set.of(), true), "out of host attempts");
        placement.mediaConnected(3);
        placement.mediaConnected(4);
        now[0] += 2_999;
        assertEquals(Set.of(), candidates(placement), "not in the first seconds of its edge connection");
        now[0] += 1;
        assertEquals(Set.of(1L, 3L), candidates(placement),
                "the phone may move, the host too (the registry says it has a client); the player out of host attempts never");
        assertEquals(List.of(), regroup(placement), "the host is full");

        HostCapacity.Upload roomy = new HostCapacity.Upload(1, 600, 5_000, false);
        assertTrue(placement.upload(1, roomy, 600).isEmpty());
        now[0] += 10_000;
        int slots = placement.upload(1, roomy, 600).orElseThrow();
        assertEquals(2, slots, "10 s with room for one more relay");
        assertEquals(Map.of(), registry.resize(1, slots).result());
        List<Regrouping.Move> moves = regroup(placement);
        assertEquals(1, moves.size(), moves.toString());
        assertEquals(1, moves.get(0).to().hostId());
        HostEntry reserved = registry.reserve(STREAM, "Blink", 3, EDGE, Set.of(), h -> h.hostId() == 1, h -> 0).result().orElseThrow();
        assertEquals(new Placement.Client(1, EDGE, true), placement.moved(3, reserved).orElseThrow());
        assertEquals(Set.of(1L), candidates(placement), "the phone is a client now");
        assertEquals(Optional.empty(), placement.moved(3, reserved), "moved once only");
    }

    /**
     * What a player's token allows in P2P: {@code client} plays from a host but never hosts; {@code none} neither (the
     * edge serves it, its address goes to no other player), even when a host has room, and it is never regrouped.
     */
    @ParameterizedTest
    @EnumSource(TestPolicies.class)
    void aPlayerIsNeverAskedMoreInP2pThanItAgreedTo(TestPolicies policy) {
        Placement placement = new Placement(new Placement.Settings(EDGE, true, 4, false, false, TestPolicies.LEARNING,
                new Regrouping.Rules(3_000, 60_000, 2), null), policy.policy(reputation), () -> now[0]);
        Function<P2pConsent, Placement.Request> asks = new Function<>() {
            long next = 1;

            @Override
            public Placement.Request apply(P2pConsent consent) {
                return placement.request(next++, STREAM, DESKTOP, ONE_NETWORK, Set.of(), false, true, consent);
            }
        };
        assertEquals(new Placement.Edge(), LocalPlacement.execute(placement, registry, asks.apply(P2pConsent.NONE)),
                "no host yet, and it may not host: the edge, not a host");
        assertEquals(new Placement.Edge(), LocalPlacement.execute(placement, registry, asks.apply(P2pConsent.CLIENT)));
        placement.mediaConnected(1).ifPresent(registry::register);
        placement.mediaConnected(2).ifPresent(registry::register);
        assertEquals(List.of(), List.copyOf(registry.snapshot().result()), "neither is a host once its media is up");
        assertInstanceOf(Placement.Host.class, LocalPlacement.execute(placement, registry, asks.apply(P2pConsent.HOST)));
        placement.mediaConnected(3).ifPresent(registry::register);
        assertEquals(new Placement.Edge(), LocalPlacement.execute(placement, registry, asks.apply(P2pConsent.NONE)),
                "a host with room, and still the edge");
        assertEquals(new Placement.Client(3, EDGE, true), LocalPlacement.execute(placement, registry, asks.apply(P2pConsent.CLIENT)));
        placement.mediaConnected(4);
        now[0] += 10_000;
        assertEquals(Set.of(2L, 3L), candidates(placement),
                "regrouping may move the edge-served client-only player (and the host, as any host), never those that agreed to none");
    }

    private static Set<Long> candidates(Placement placement) {
        Set<Long> ids = new HashSet<>();
        placement.regroupCandidates().forEach(c -> ids.add(c.session()));
        return ids;
    }

    private List<Regrouping.Move> regroup(Placement placement) {
        return placement.regroup(placement.regroupCandidates(), List.copyOf(registry.snapshot().result()));
    }
}
