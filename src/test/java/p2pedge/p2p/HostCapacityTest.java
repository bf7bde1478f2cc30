package p2pedge.p2p;

import org.junit.jupiter.api.Test;

import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HostCapacityTest {

    private static final int STREAM = 600;
    private static final HostCapacity.Rules RULES = new HostCapacity.Rules(2, 4, 1.2, 10_000, 6_000, 120_000);
    private final HostCapacity capacity = new HostCapacity(RULES);

    private static HostCapacity.Upload unlimited(int relays, int availableKbps) {
        return new HostCapacity.Upload(relays, relays * STREAM, availableKbps, false);
    }

    private static HostCapacity.Upload limited(int relays) {
        return new HostCapacity.Upload(relays, relays * 400, relays * 450, true);
    }

    /** Reports {@code upload} every 2 s from {@code from} to {@code to} (inclusive): the last change, if any. */
    private OptionalInt every2s(HostCapacity.State state, HostCapacity.Upload upload, long from, long to) {
        OptionalInt last = OptionalInt.empty();
        for (long t = from; t <= to; t += 2_000) {
            OptionalInt change = capacity.report(state, upload, STREAM, t);
            if (change.isPresent()) {
                last = change;
            }
        }
        return last;
    }

    @Test
    void aNewHostHasTheStartSlots() {
        assertEquals(2, capacity.start().slots());
        assertThrows(IllegalArgumentException.class, () -> new HostCapacity.Rules(5, 4, 1.2, 1, 1, 1));
    }

    @Test
    void aLimitationMustLastBeforeAHostLosesASlot() {
        HostCapacity.State state = capacity.start();
        assertEquals(OptionalInt.empty(), every2s(state, limited(2), 0, 4_000), "4 s of a limitation is not enough");
        assertEquals(OptionalInt.empty(), every2s(state, unlimited(2, 1500), 6_000, 12_000), "it recovered: more clear reports than limited");
        assertEquals(OptionalInt.empty(), every2s(state, limited(2), 14_000, 18_000), "the clock starts again");
        assertEquals(OptionalInt.of(1), capacity.report(state, limited(2), STREAM, 20_000), "limited for 6 s: one relay fewer");
        assertEquals(1, state.slots());
    }

    @Test
    void relaysThatFlickerBetweenLimitedAndClearAreLimited() {
        HostCapacity.State state = capacity.start();
        HostCapacity.Upload clear = unlimited(2, 5000);
        assertEquals(OptionalInt.empty(), capacity.report(state, limited(2), STREAM, 0));
        assertEquals(OptionalInt.empty(), capacity.report(state, clear, STREAM, 2_000), "one clear report is no recovery");
        assertEquals(OptionalInt.empty(), capacity.report(state, limited(2), STREAM, 4_000));
        assertEquals(OptionalInt.empty(), capacity.report(state, clear, STREAM, 6_000), "as many clear as limited: still limited");
        assertEquals(OptionalInt.of(1), capacity.report(state, limited(2), STREAM, 8_000), "half the reports limited for 6 s");

        HostCapacity.State raised = capacity.start();
        assertEquals(OptionalInt.empty(), every2s(raised, limited(2), 0, 2_000));
        // Clear from 4 s: the limitation is open until the third clear report (8 s), and 10 s of headroom count from there.
        assertEquals(OptionalInt.empty(), every2s(raised, clear, 4_000, 16_000), "no raise while a limitation is open");
        assertEquals(OptionalInt.of(3), capacity.report(raised, clear, STREAM, 18_000), "then the headroom counts");
    }

    @Test
    void aHostLimitedWithOneRelayTakesNoClient() {
        HostCapacity.State state = capacity.start();
        assertEquals(OptionalInt.of(0), every2s(state, limited(1), 0, 6_000));
    }

    @Test
    void anEstimatedUploadForOneSlotMoreRaisesAHostUpToTheCap() {
        HostCapacity.State state = capacity.start();
        // Two slots at 600 kbit/s: a third needs 3 x 600 x 1.2 = 2160 kbit/s estimated.
        assertEquals(OptionalInt.empty(), every2s(state, unlimited(2, 2100), 0, 30_000), "not quite room for a third");
        assertEquals(OptionalInt.empty(), every2s(state, unlimited(0, 5000), 0, 30_000), "no relay, no evidence");
        assertEquals(OptionalInt.empty(), every2s(state, unlimited(2, -1), 0, 30_000), "no estimate, no raise");
        assertEquals(OptionalInt.empty(), every2s(state, unlimited(2, 2200), 40_000, 48_000), "8 s of headroom is not enough");
        assertEquals(OptionalInt.of(3), capacity.report(state, unlimited(2, 2200), STREAM, 50_000));
        assertEquals(OptionalInt.of(4), every2s(state, unlimited(1, 10_000), 52_000, 62_000), "one relay with room for 4");
        assertEquals(OptionalInt.empty(), every2s(state, unlimited(4, 10_000), 64_000, 200_000), "never beyond the cap");
        assertEquals(4, state.slots());
    }

    @Test
    void aLoweredHostIsNotRaisedAgainWithinTheHold() {
        HostCapacity.State state = capacity.start();
        assertEquals(OptionalInt.of(1), every2s(state, limited(2), 0, 6_000));
        assertEquals(OptionalInt.empty(), every2s(state, unlimited(1, 5000), 8_000, 120_000), "held after the lowering");
        assertEquals(OptionalInt.of(2), every2s(state, unlimited(1, 5000), 122_000, 136_000), "then raised on fresh evidence");
    }

    @Test
    void aReportWithoutRelaysChangesNothing() {
        HostCapacity.State state = capacity.start();
        assertEquals(OptionalInt.empty(), every2s(state, new HostCapacity.Upload(0, 0, -1, true), 0, 60_000));
        assertEquals(2, state.slots());
    }
}
