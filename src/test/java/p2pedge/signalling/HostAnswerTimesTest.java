package p2pedge.signalling;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How long a client waits for its host's offer, learnt from the answers of hosts on the edge. */
class HostAnswerTimesTest {

    @Test
    void theConfiguredBoundUntilTenAnswersAreKnown() {
        HostAnswerTimes times = new HostAnswerTimes();
        for (int i = 0; i < HostAnswerTimes.MIN_SAMPLES - 1; i++) {
            times.record(40);
        }
        assertEquals(3_000, times.bound(3_000));
        times.record(40);
        assertEquals(HostAnswerTimes.FLOOR_MILLIS, times.bound(3_000), "3 x 40 ms is below the floor");
    }

    @Test
    void threeTimesTheNinetyNinthPercentileWithinFloorAndCeiling() {
        HostAnswerTimes times = new HostAnswerTimes();
        for (int i = 0; i < 126; i++) {
            times.record(150);
        }
        times.record(900); // one slow answer in 127 is above the 99th percentile
        assertEquals(450, times.bound(3_000));
        times.record(900); // two are not: 3 x 900 ms is capped
        assertEquals(HostAnswerTimes.CEILING_MILLIS, times.bound(3_000));
        assertEquals(200, times.bound(200), "never longer than configured");
    }

    @Test
    void onlyTheLastWindowOfAnswersCounts() {
        HostAnswerTimes times = new HostAnswerTimes();
        for (int i = 0; i < HostAnswerTimes.WINDOW; i++) {
            times.record(2_000);
        }
        assertEquals(HostAnswerTimes.CEILING_MILLIS, times.bound(3_000));
        for (int i = 0; i < HostAnswerTimes.WINDOW; i++) {
            times.record(120);
        }
        assertEquals(360, times.bound(3_000));
    }

    @Test
    void aRelayTableThatLearnsWaitsForSilentHostsAsLongAsHostsHereTake() throws Exception {
        long[] now = {0};
        RelayTable table = learning("e", now);
        for (long client = 100; client < 100 + HostAnswerTimes.MIN_SAMPLES; client++) {
            table.placedOnHost(client, "10.0.0.2", new RelayTable.Peer(1, "e"), true, false);
            now[0] += 80_000_000L; // the host answers after 80 ms
            table.offerFromHost(1, client, new p2pedge.webrtc.SessionDescription("offer", "v=0\r\n"), List.of());
        }
        List<RelayAction> placed = table.placedOnHost(200, "10.0.0.3", new RelayTable.Peer(1, "e"), true, false);
        assertEquals(HostAnswerTimes.FLOOR_MILLIS, ((RelayAction.ArmTimer) placed.get(0)).delayMillis(), placed.toString());
        RelayTable.Rules fixed = new RelayTable.Rules(3_000, 5_000, 1_000, 2, 30_000, 60_000, false);
        RelayTable ome = new RelayTable("e", fixed, new PeerCandidateFilter(true), () -> 0L, id -> true, RelayTableTest.TRIAL_PEER_IDS);
        assertEquals(3_000, ome.hostOfferBoundMillis(), "without learning (policy ome), the configured bound");
    }

    @Test
    void aHostOfAnotherEdgeIsTimedOnItsOwnEdgeFromItsAsk() throws Exception {
        long[] now = {0};
        RelayTable hostEdge = learning("a", now);
        RelayTable clientEdge = learning("b", now);
        p2pedge.webrtc.SessionDescription offer = new p2pedge.webrtc.SessionDescription("offer", "v=0\r\n");
        for (long client = 100; client < 100 + HostAnswerTimes.MIN_SAMPLES; client++) {
            hostEdge.slotGranted(1, client, "b");
            now[0] += 80_000_000L; // the host answers 80 ms after its edge asked
            hostEdge.offerFromHost(1, client, offer, List.of());
            // The offer reaches the client's edge before the placement does: held, then passed on at once.
            clientEdge.fromHostEdge(EdgeLink.OFFER, 1, client, "a", offer, List.of());
            clientEdge.placedOnHost(client, "10.0.0.2", new RelayTable.Peer(1, "a"), true, false);
        }
        assertEquals(HostAnswerTimes.FLOOR_MILLIS, hostEdge.hostOfferBoundMillis(), "the host's edge learnt its host's answers");
        assertEquals(3_000, clientEdge.hostOfferBoundMillis(), "the client's edge has no host of its own that answered");

        RelayTable again = learning("a", now);
        for (long client = 100; client < 100 + HostAnswerTimes.MIN_SAMPLES - 1; client++) {
            again.slotGranted(1, client, "b");
            again.offerFromHost(1, client, offer, List.of());
            again.offerFromHost(1, client, offer, List.of());
        }
        assertEquals(3_000, again.hostOfferBoundMillis(), "a second offer for the same client is not a second answer");
    }

    /** A relay table of edge {@code edge} that learns its hosts' answer times, on the clock {@code now[0]}. */
    private static RelayTable learning(String edge, long[] now) {
        RelayTable.Rules rules = new RelayTable.Rules(3_000, 5_000, 1_000, 2, 30_000, 60_000, true);
        return new RelayTable(edge, rules, new PeerCandidateFilter(true), () -> now[0], id -> true, RelayTableTest.TRIAL_PEER_IDS);
    }
}
