package p2pedge.net;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PerAddressCapTest {

    @Test
    void eachAddressHoldsAtMostTheCapAndGetsItBack() {
        PerAddressCap cap = new PerAddressCap(2);
        assertTrue(cap.tryAcquire("a"));
        assertTrue(cap.tryAcquire("a"));
        assertFalse(cap.tryAcquire("a"));
        assertTrue(cap.tryAcquire("b"), "other addresses are not affected");
        cap.release("a");
        assertTrue(cap.tryAcquire("a"));
        assertEquals(2, cap.held("a"));
    }

    @Test
    void addressesHoldingNothingAreForgottenAndExtraReleasesAreHarmless() {
        PerAddressCap cap = new PerAddressCap(1);
        cap.tryAcquire("a");
        cap.release("a");
        cap.release("a");
        assertEquals(0, cap.addresses());
        assertTrue(cap.tryAcquire("a"));
        assertFalse(cap.tryAcquire("a"));
    }

    @Test
    void zeroMeansNoCap() {
        PerAddressCap cap = new PerAddressCap(0);
        for (int i = 0; i < 10_000; i++) {
            assertTrue(cap.tryAcquire("nat"));
        }
        assertEquals(10_000, cap.held("nat"));
    }
}
