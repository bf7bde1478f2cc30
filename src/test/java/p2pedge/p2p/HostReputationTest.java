package p2pedge.p2p;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What clients can and cannot do to a host's record, in milliseconds of an injected clock. */
class HostReputationTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final HostReputation reputation = new HostReputation(new HostReputation.Rules(2, 2, 600_000, true), now::get);

    private HostHealth report(HostHealth h, String witness, boolean connected) {
        return HealthEvent.relay(witness, connected, now.get()).applyTo(h);
    }

    @Test
    void oneClientCannotTakeAFreshHostOutHoweverOftenItSaysSo() {
        HostHealth h = HostHealth.NEW.offered(200);
        for (int i = 0; i < 50; i++) {
            h = report(h, "198.51.100.7", false);
        }
        assertTrue(reputation.accepts(h), "one witness, however many reports");
        assertEquals(1, reputation.failureWitnesses(h));
        assertEquals(1, h.reports().size(), "one witness, one report kept");
    }

    @Test
    void distinctWitnessesOfFailuresTakeABadHostOutAndFakeSuccessesDoNotSaveIt() {
        HostHealth h = HostHealth.NEW.offered(200);
        for (int i = 0; i < 6; i++) {
            h = report(h.offered(200), "203.0.113.9", true); // a sock puppet vouching again and again
        }
        h = report(h, "198.51.100.7", false);
        assertTrue(reputation.accepts(h));
        h = report(h, "192.0.2.44", false);
        assertFalse(reputation.accepts(h), "two witnesses on two addresses");
        assertEquals(1, reputation.successWitnesses(h), "the puppet counts once");
    }

    @Test
    void successReportsCannotLiftAHostAboveWhatTheEdgeMeasured() {
        HostHealth vouched = HostHealth.NEW.offered(200);
        for (int i = 0; i < 6; i++) {
            vouched = report(vouched, "10.0.0." + i, true); // six witnesses, but the host offered once
        }
        assertEquals(1, reputation.successWitnesses(vouched), "never more witnesses of success than offers made");
        HostHealth once = report(HostHealth.NEW.offered(200), "10.0.0.1", true);
        assertEquals(reputation.successRate(once), reputation.successRate(vouched));
        assertTrue(reputation.successRate(once) > reputation.successRate(HostHealth.NEW), "a vouched host ranks first");
    }

    @Test
    void reportsDecayAfterTheWindow() {
        HostHealth h = report(HostHealth.NEW.offered(200), "198.51.100.7", false);
        now.addAndGet(599_000);
        h = report(h, "192.0.2.44", false);
        assertFalse(reputation.accepts(h), "two witnesses within ten minutes");
        now.addAndGet(2_000);
        assertTrue(reputation.accepts(h), "the first report has expired: one witness left");
        assertEquals(1, reputation.failureWitnesses(h));
        now.addAndGet(600_000);
        assertEquals(0.5, reputation.successRate(h), "nothing left: a fresh host's standing");
    }

    @Test
    void theHostsOwnFailuresAreMeasuredByTheEdgeAndCountAlone() {
        assertFalse(reputation.accepts(HostHealth.NEW.hostFailed()), "silent before it ever offered: out at once");
        HostHealth offeredOnce = HostHealth.NEW.offered(300);
        assertTrue(reputation.accepts(offeredOnce.hostFailed()), "one silence after an offer is forgiven");
        assertFalse(reputation.accepts(offeredOnce.hostFailed().hostFailed()), "maxHostFailures in a row");
        assertTrue(reputation.accepts(offeredOnce.hostFailed().hostFailed().offered(100)), "an offer ends the streak");
        assertFalse(reputation.withMaxHostFailures(1).accepts(offeredOnce.hostFailed()), "the ome policy gives up at once");
        HostHealth vouched = report(offeredOnce, "10.0.0.1", true);
        assertFalse(reputation.accepts(vouched.hostFailed().hostFailed()), "clients' praise does not end the streak");
    }

    @Test
    void witnessesAreAddressesOrWholeIpv6PrefixesOrSessionsWhenAddressesMeanNothing() {
        assertEquals("198.51.100.7", reputation.witnessOf("198.51.100.7", 1));
        assertEquals(reputation.witnessOf("2001:db8:aa00:1::5", 1), reputation.witnessOf("2001:db8:aa00:ff01::9", 2),
                "one subscriber's /48");
        assertEquals("203.0.113.5", reputation.witnessOf("::ffff:203.0.113.5", 1));
        assertEquals("session 7", reputation.witnessOf(null, 7));
        assertEquals("session 7", reputation.witnessOf("not-an-address", 7), "never resolved");
        HostReputation behindProxy = new HostReputation(new HostReputation.Rules(2, 2, 600_000, false), now::get);
        assertEquals("session 7", behindProxy.witnessOf("198.51.100.7", 7));
    }

    @Test
    void aHostsRecordStaysBoundedWhateverClientsSend() {
        HostHealth h = HostHealth.NEW.offered(100);
        for (int i = 0; i < 1000; i++) {
            h = report(h, "10.1." + (i / 256) + "." + (i % 256), i % 2 == 0);
        }
        assertEquals(HostHealth.MAX_WITNESSES, h.reports().size());
    }
}
