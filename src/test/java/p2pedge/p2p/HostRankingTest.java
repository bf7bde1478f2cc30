package p2pedge.p2p;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HostRankingTest {

    private static final Reachability ONE_NETWORK = Reachability.unmeasured("192.0.2.1");

    private static HostEntry host(long id, String edge, int clients, HostHealth health) {
        Map<Long, String> ids = clients == 0 ? Map.of() : Map.of(100L + id, edge);
        return new HostEntry(id, edge, "app/stream", "Blink", 2, ids, health, ONE_NETWORK, NOW);
    }

    /** The policy's clock: hosts from {@link #host} registered just now. */
    private static final long NOW = 1_000;

    private static List<Long> ranked(List<HostEntry> hosts, String clientEdge) {
        return HostRanking.ranked(hosts, "app/stream", "Blink", 99, clientEdge, Set.of(), h -> true, MEASURED::score)
                .stream().map(HostEntry::hostId).toList();
    }

    /** The measured policy's own score; no User-Agent is read here, so no analyzer. */
    private static final MeasuredPolicy MEASURED = new MeasuredPolicy(
            ua -> { throw new AssertionError("no profiles here"); },
            new HostReputation(new HostReputation.Rules(2, 2, 600_000, true), () -> NOW));

    @Test
    void sameEdgeFirstThenScoreThenTheFullerHost() {
        HostHealth proven = HealthEvent.relay("10.0.0.1", true, 1_000).applyTo(HostHealth.NEW.offered(100));
        List<HostEntry> hosts = List.of(
                host(1, "edge-a", 0, proven),
                host(2, "edge-b", 0, HostHealth.NEW),
                host(3, "edge-b", 1, HostHealth.NEW),
                host(4, "edge-b", 0, proven));
        assertEquals(List.of(4L, 3L, 2L, 1L), ranked(hosts, "edge-b"));
        assertEquals(List.of(1L, 4L, 3L, 2L), ranked(hosts, "edge-a"));
    }

    @Test
    void otherStreamsFamiliesFullOrExcludedHostsAreNeverCandidates() {
        HostEntry otherStream = new HostEntry(5, "e", "app/other", "Blink", 2, Map.of(), HostHealth.NEW, ONE_NETWORK, 0);
        HostEntry otherFamily = new HostEntry(6, "e", "app/stream", "Gecko", 2, Map.of(), HostHealth.NEW, ONE_NETWORK, 0);
        HostEntry full = new HostEntry(7, "e", "app/stream", "Blink", 1, Map.of(9L, "e"), HostHealth.NEW, ONE_NETWORK, 0);
        HostEntry excluded = host(8, "e", 0, HostHealth.NEW);
        HostEntry itself = host(1, "e", 0, HostHealth.NEW);
        assertEquals(List.of(), HostRanking.ranked(List.of(otherStream, otherFamily, full, excluded, itself), "app/stream",
                "Blink", 1, "e", Set.of(8L), h -> true, h -> 0));
        assertEquals(List.of(), HostRanking.ranked(List.of(host(2, "e", 0, HostHealth.NEW)), "app/stream", null, 1, "e",
                Set.of(), h -> true, h -> 0), "no family, no host");
    }

    @Test
    void theMeasuredScoreIsTheShareOfWitnessesLessSlownessAndStarving() {
        HostHealth vouched = HealthEvent.relay("10.0.0.1", true, 1_000).applyTo(HostHealth.NEW.offered(5_000));
        assertEquals(0.5, MEASURED.score(host(1, "e", 0, HostHealth.NEW)), 1e-9, "nobody vouched: 1/2, never offered: no slowness");
        assertEquals(2.0 / 3 - 0.1, MEASURED.score(host(1, "e", 0, vouched)), 1e-9, "one witness: 2/3; 5 s to offer costs 0.1");
        HostHealth failedFor = HealthEvent.relay("10.0.0.2", false, 1_000).applyTo(vouched);
        assertEquals(2.0 / 4 - 0.1, MEASURED.score(host(1, "e", 0, failedFor)), 1e-9, "one for, one against");
        assertEquals(0.5 - 0.5, MEASURED.score(host(1, "e", 0, HostHealth.NEW.offered(60_000))), 1e-9, "slowness costs at most 0.5");
        assertEquals(0.5 - 0.5, MEASURED.score(host(1, "e", 0, HostHealth.NEW.reportedKbps(49))), 1e-9, "a starving host");
        assertEquals(0.5, MEASURED.score(host(1, "e", 0, HostHealth.NEW.reportedKbps(50))), 1e-9);
    }

    @Test
    void amongEqualHostsTheOneWatchingLongestIsPreferredByUpToATenth() {
        HostEntry fresh = host(1, "e", 0, HostHealth.NEW);
        HostEntry fiveMinutes = new HostEntry(2, "e", "app/stream", "Blink", 2, Map.of(), HostHealth.NEW, ONE_NETWORK, NOW - 300_000);
        HostEntry anHour = new HostEntry(3, "e", "app/stream", "Blink", 2, Map.of(), HostHealth.NEW, ONE_NETWORK, NOW - 3_600_000);
        assertEquals(0.5 + 0.05, MEASURED.score(fiveMinutes), 1e-9);
        assertEquals(0.5 + 0.1, MEASURED.score(anHour), 1e-9, "ten minutes and more count the same");
        assertEquals(List.of(3L, 2L, 1L), ranked(List.of(fresh, fiveMinutes, anHour), "e"));
        HostHealth failedOnce = HealthEvent.relay("10.0.0.2", false, NOW).applyTo(HostHealth.NEW.offered(100));
        HostEntry oldButFailing = new HostEntry(4, "e", "app/stream", "Blink", 2, Map.of(), failedOnce, ONE_NETWORK, NOW - 3_600_000);
        assertEquals(List.of(1L, 4L), ranked(List.of(oldButFailing, fresh), "e"), "a relay's failure weighs more than age");
    }
}
