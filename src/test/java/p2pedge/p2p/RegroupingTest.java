package p2pedge.p2p;

import org.junit.jupiter.api.Test;
import p2pedge.testing.TestPolicies;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which edge-served hosts move onto another host, on a made-up clock. */
class RegroupingTest {

    private static final Regrouping.Rules RULES = new Regrouping.Rules(3_000, 60_000, 2);
    private static final long NOW = 1_000_000;
    private static final Reachability HOME = Reachability.unmeasured("192.0.2.1");
    private final HostReputation reputation = new HostReputation(new HostReputation.Rules(2, 2, 600_000, true), () -> NOW);
    private final Regrouping regrouping = new Regrouping(RULES, TestPolicies.MEASURED.policy(reputation));

    private static HostEntry host(long id, int clients) {
        HostEntry h = new HostEntry(id, "e", "app/stream", "Chrome", 2, Map.of(), HostHealth.NEW, HOME, 0);
        for (int c = 0; c < clients; c++) {
            h = h.withClient(1000 + id * 10 + c, "e");
        }
        return h;
    }

    /** Playing from its edge connection for a minute, never moved, reports its relays. */
    private static Regrouping.Candidate settled(long id) {
        return new Regrouping.Candidate(id, true, NOW - 60_000, Long.MIN_VALUE / 2);
    }

    private List<Regrouping.Move> moves(List<Regrouping.Candidate> candidates, List<HostEntry> hosts) {
        return regrouping.moves(candidates, hosts, (target, mover) -> true, NOW);
    }

    @Test
    void ofTwoHostsWithNoClientTheOneWithTheHigherIdMovesOntoTheOther() {
        List<HostEntry> hosts = List.of(host(7, 0), host(9, 0));
        assertEquals(List.of(new Regrouping.Move(9, hosts.get(0))), moves(List.of(settled(7), settled(9)), hosts));
        // Each edge decides for its own hosts: the same order everywhere, so they never move onto each other.
        assertEquals(List.of(), moves(List.of(settled(7)), hosts));
        assertEquals(List.of(new Regrouping.Move(9, hosts.get(0))), moves(List.of(settled(9)), hosts));
    }

    @Test
    void aHostWithClientsIsFilledFirstAndNeverMoves() {
        List<HostEntry> hosts = List.of(host(3, 0), host(5, 1), host(8, 0));
        List<Regrouping.Move> moves = moves(List.of(settled(3), settled(5), settled(8)), hosts);
        assertEquals(List.of(new Regrouping.Move(3, hosts.get(1))), moves,
                "3 takes host 5's last slot; 8 finds none left (3 is moving, and it moves only onto lower ids)");
    }

    @Test
    void aTargetThisRoundDoesNotMoveItselfAndSlotsAreCounted() {
        List<HostEntry> hosts = List.of(host(3, 0), host(5, 1), host(8, 0));
        List<HostEntry> full = List.of(hosts.get(0), hosts.get(1).withClient(99, "e"), hosts.get(2));
        assertEquals(List.of(new Regrouping.Move(8, hosts.get(0))), moves(List.of(settled(3), settled(8)), full),
                "host 5 is full: 8 moves onto 3, which then stays a host");
    }

    @Test
    void noMoveInTheFirstSecondsOfAConnectionMoreThanOncePerIntervalOrForAPlayerThatDoesNotReport() {
        List<HostEntry> hosts = List.of(host(1, 1), host(2, 0));
        assertEquals(List.of(), moves(List.of(new Regrouping.Candidate(2, true, NOW - 2_999, Long.MIN_VALUE / 2)), hosts),
                "its edge connection is too new");
        assertEquals(List.of(), moves(List.of(new Regrouping.Candidate(2, true, -1, Long.MIN_VALUE / 2)), hosts),
                "no media yet");
        assertEquals(List.of(), moves(List.of(new Regrouping.Candidate(2, true, NOW - 60_000, NOW - 59_999)), hosts),
                "moved within the minute");
        assertEquals(List.of(), moves(List.of(new Regrouping.Candidate(2, false, NOW - 60_000, Long.MIN_VALUE / 2)), hosts),
                "OvenPlayer restarts on a new offer: never moved while playing");
        assertEquals(1, moves(List.of(new Regrouping.Candidate(2, true, NOW - 3_000, NOW - 60_000)), hosts).size());
    }

    @Test
    void onlyOntoAHostOfTheSameStreamAndFamilyThatTakesClientsAndMayServeIt() {
        HostEntry mover = host(9, 0);
        HostEntry otherStream = new HostEntry(1, "e", "app/other", "Chrome", 2, Map.of(), HostHealth.NEW, HOME, 0);
        HostEntry otherFamily = new HostEntry(2, "e", "app/stream", "Firefox", 2, Map.of(), HostHealth.NEW, HOME, 0);
        HostEntry failing = host(3, 0).withHealth(HostHealth.NEW.hostFailed().hostFailed());
        HostEntry unreachable = host(4, 0);
        List<HostEntry> hosts = List.of(otherStream, otherFamily, failing, unreachable, mover);
        assertEquals(List.of(), regrouping.moves(List.of(settled(9)), hosts, (target, m) -> target.hostId() != 4, NOW));
        assertEquals(List.of(new Regrouping.Move(9, unreachable)), regrouping.moves(List.of(settled(9)), hosts, (t, m) -> true, NOW));
    }

    @Test
    void atMostMaxMovesPerRound() {
        List<HostEntry> hosts = List.of(host(1, 0), host(2, 0), host(3, 0), host(4, 0), host(5, 0));
        List<Regrouping.Move> moves = moves(List.of(settled(5), settled(4), settled(3), settled(2)), hosts);
        assertEquals(2, moves.size(), moves.toString());
    }

    /** An edge-served player that does not host (a phone, or one that found no slot), settled, never moved. */
    private static Regrouping.Candidate notHosting(long id, Set<Long> excluded) {
        return new Regrouping.Candidate(id, true, NOW - 60_000, Long.MIN_VALUE / 2,
                new Regrouping.NotHosting("app/stream", "Chrome", HOME, excluded));
    }

    @Test
    void aPlayerThatDoesNotHostMovesOntoAnyHostWithAFreeSlotThatHasNotFailedIt() {
        List<HostEntry> hosts = List.of(host(3, 1), host(5, 0));
        assertEquals(List.of(new Regrouping.Move(2, hosts.get(0))), moves(List.of(notHosting(2, Set.of())), hosts),
                "onto the host that already relays; no order of ids for a player that is no host");
        assertEquals(List.of(new Regrouping.Move(2, hosts.get(1))), moves(List.of(notHosting(2, Set.of(3L))), hosts),
                "not onto a host that failed it");
        assertEquals(List.of(), moves(List.of(notHosting(5, Set.of())), hosts), "a player in the registry is a host");
        List<HostEntry> full = List.of(host(3, 2), host(5, 2));
        assertEquals(List.of(), moves(List.of(notHosting(2, Set.of())), full), "no free slot");
    }
}
