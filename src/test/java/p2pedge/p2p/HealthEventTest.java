package p2pedge.p2p;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the cluster writes at once (bad news) and what may wait (a score refined). */
class HealthEventTest {

    @Test
    void aFailedHostOrRelayIsBadNewsAndTheRestIsNot() {
        assertTrue(HealthEvent.hostFailed().badNews());
        assertTrue(HealthEvent.relay("client-1", false, 5).badNews());
        assertFalse(HealthEvent.relay("client-1", true, 5).badNews());
        assertFalse(HealthEvent.offered(120).badNews());
        assertFalse(HealthEvent.kbps(600).badNews());
    }
}
