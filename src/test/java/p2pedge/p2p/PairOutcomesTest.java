package p2pedge.p2p;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Learning from ended relays, per kind of pair, on a made-up clock. */
class PairOutcomesTest {

    private static final PairKind CONE_CONE = new PairKind(false, NatMapping.ENDPOINT_INDEPENDENT, NatMapping.ENDPOINT_INDEPENDENT);
    private static final PairKind ONE_NETWORK = new PairKind(true, NatMapping.UNKNOWN, NatMapping.UNKNOWN);
    private final PairOutcomes outcomes = new PairOutcomes(new PairOutcomes.Rules(6, 4, 50, 60_000));

    @Test
    void aKindIsStoppedOnlyOnceEnoughRelaysEnded() {
        outcomes.record(CONE_CONE, false, 0);
        outcomes.record(CONE_CONE, false, 0);
        outcomes.record(CONE_CONE, false, 0);
        assertEquals(Set.of(), outcomes.stopped(0), "3 failures are fewer than minRelays");
        outcomes.record(CONE_CONE, false, 0);
        assertEquals(Set.of(CONE_CONE), outcomes.stopped(0), "0 of 4 connected: stopped");
    }

    @Test
    void successesKeepAKindInUseAndOnlyTheWindowCounts() {
        for (int i = 0; i < 6; i++) {
            outcomes.record(CONE_CONE, true, 0);
        }
        outcomes.record(CONE_CONE, false, 0);
        outcomes.record(CONE_CONE, false, 0);
        outcomes.record(CONE_CONE, false, 0);
        assertEquals(Set.of(), outcomes.stopped(0), "3 of the last 6 connected: 50 % is enough");
        outcomes.record(CONE_CONE, false, 0);
        assertEquals(Set.of(CONE_CONE), outcomes.stopped(0), "2 of the last 6: stopped");
        outcomes.record(ONE_NETWORK, false, 0);
        assertFalse(outcomes.stopped(0).contains(ONE_NETWORK), "kinds are learnt apart");
    }

    @Test
    void aStoppedKindIsTriedAfreshAfterItsCooldown() {
        for (int i = 0; i < 4; i++) {
            outcomes.record(CONE_CONE, false, 1_000);
        }
        assertTrue(outcomes.stopped(60_999).contains(CONE_CONE));
        outcomes.record(CONE_CONE, false, 30_000); // a relay placed before the stop ends late: the stop stands
        assertEquals(Set.of(), outcomes.stopped(61_000), "the cooldown is over");
        outcomes.record(CONE_CONE, false, 61_000);
        assertEquals(Set.of(), outcomes.stopped(61_000), "its window started empty: one failure stops nothing");
    }

    @Test
    void nonsenseRulesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PairOutcomes.Rules(3, 4, 50, 0));
        assertThrows(IllegalArgumentException.class, () -> new PairOutcomes.Rules(10, 4, 101, 0));
    }
}
