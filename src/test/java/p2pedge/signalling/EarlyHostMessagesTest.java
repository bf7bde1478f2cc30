package p2pedge.signalling;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EarlyHostMessagesTest {

    private static EarlyHostMessages.Held candidates(long client, long atNanos) {
        return new EarlyHostMessages.Held(client, 1, "edge-b", EdgeLink.CANDIDATES, null, List.of(), atNanos);
    }

    @Test
    void heldInArrivalOrderPerRelayAndForgottenOnceTaken() {
        EarlyHostMessages early = new EarlyHostMessages();
        early.hold(new EarlyHostMessages.Held(2, 1, "edge-b", EdgeLink.OFFER, null, null, 0));
        early.hold(candidates(2, 1));
        early.hold(candidates(3, 2));
        assertEquals(List.of(EdgeLink.OFFER, EdgeLink.CANDIDATES), early.take(2, 1, "edge-b", 3).stream().map(EarlyHostMessages.Held::kind).toList());
        assertEquals(List.of(), early.take(2, 1, "edge-b", 3));
        assertEquals(List.of(), early.take(3, 1, "edge-c", 3), "host 1 of another edge");
        early.forget(3);
        assertEquals(0, early.size());
    }

    @Test
    void boundedInCountAndAge() {
        EarlyHostMessages early = new EarlyHostMessages();
        for (int i = 0; i < EarlyHostMessages.MAX + 10; i++) {
            early.hold(candidates(100 + i, 0));
        }
        assertEquals(EarlyHostMessages.MAX, early.size());
        assertEquals(List.of(), early.take(100, 1, "edge-b", 0), "the oldest went first");
        early.hold(candidates(7, EarlyHostMessages.KEEP_NANOS + 1));
        assertEquals(1, early.size(), "the rest outlived what a grant can take");
    }

    @Test
    void oneClientHoldsNoMoreThanItsShare() {
        EarlyHostMessages early = new EarlyHostMessages();
        for (int i = 0; i < EarlyHostMessages.MAX_PER_CLIENT; i++) {
            assertTrue(early.hold(candidates(2, i)));
        }
        assertFalse(early.hold(candidates(2, 100)), "a host flooding its client");
        assertTrue(early.hold(candidates(3, 100)), "another client's room is its own");
        assertEquals(EarlyHostMessages.MAX_PER_CLIENT, early.take(2, 1, "edge-b", 100).size());
    }
}
