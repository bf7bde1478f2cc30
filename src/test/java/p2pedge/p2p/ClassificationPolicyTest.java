package p2pedge.p2p;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import p2pedge.testing.TestPolicies;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassificationPolicyTest {

    private static final Reachability ONE_NETWORK = Reachability.unmeasured("192.0.2.1");

    static final String CHROME_WIN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    static final String EDGE_CHROMIUM = CHROME_WIN + " Edg/120.0.2210.91";
    static final String EDGE_LEGACY = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.19582";
    static final String CHROME_LINUX = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
    static final String HEADLESS_LINUX = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36";
    static final String IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
    static final String ANDROID_PHONE = "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36";
    static final String ANDROID_TABLET = "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    static final String FIREFOX_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:121.0) Gecko/20100101 Firefox/121.0";
    static final String SAFARI_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15";

    private static final HostReputation REPUTATION = new HostReputation(new HostReputation.Rules(2, 2, 600_000, true), () -> 1_000);
    private static MeasuredPolicy measured;
    private static MeasuredPolicy measuredNoLinux;

    @BeforeAll
    static void build() {
        measured = new MeasuredPolicy(true, REPUTATION);
        measuredNoLinux = new MeasuredPolicy(false, REPUTATION);
    }

    @Test
    void omeReproducesTheReferenceRulesAndQuirks() {
        OmePolicy ome = new OmePolicy(REPUTATION);
        assertEquals(new PeerProfile("Chrome", true, "Chrome on Windows"), ome.profile(CHROME_WIN));
        assertTrue(ome.profile(SAFARI_MAC).mayHost());
        assertEquals("Safari", ome.profile(SAFARI_MAC).family());
        assertFalse(ome.profile(CHROME_LINUX).mayHost(), "no Linux hosts");
        assertFalse(ome.profile(IPHONE).mayHost(), "no mobile hosts");
        assertFalse(ome.profile(ANDROID_PHONE).mayHost());
        assertFalse(ome.profile(ANDROID_TABLET).mayHost(), "quirk: Android tablets count as Linux");
        assertEquals("Chrome", ome.profile(EDGE_CHROMIUM).family(), "quirk: Chromium Edge counts as Chrome");
        assertEquals("Chrome", ome.profile(EDGE_LEGACY).family(), "quirk: legacy Edge says Chrome too");
        assertNull(ome.profile(FIREFOX_MAC).family(), "quirk: Firefox is looked for as 'FireFox'");
        assertFalse(ome.profile(FIREFOX_MAC).mayHost());
        assertNull(ome.profile("curl/8.0").family());
        assertNull(ome.profile(null).family());
        assertTrue(ome.registersHostOnOffer());
    }

    @Test
    void measuredParsesUserAgentsProperly() {
        PeerProfile chrome = measured.profile(CHROME_WIN);
        assertEquals("Blink", chrome.family());
        assertTrue(chrome.mayHost());
        assertEquals(new PeerProfile("Blink", true, measured.profile(EDGE_CHROMIUM).summary()), measured.profile(EDGE_CHROMIUM),
                "modern Chromium Edge hosts and relays with Chrome");
        assertNull(measured.profile(EDGE_LEGACY).family(), "legacy Edge takes no part");
        assertFalse(measured.profile(EDGE_LEGACY).mayHost());
        assertFalse(measured.profile(IPHONE).mayHost());
        assertFalse(measured.profile(ANDROID_PHONE).mayHost());
        assertFalse(measured.profile(ANDROID_TABLET).mayHost(), "tablets are not desktops");
        assertEquals("Blink", measured.profile(ANDROID_TABLET).family(), "but may be clients of Blink hosts");
        assertEquals("Gecko", measured.profile(FIREFOX_MAC).family());
        assertTrue(measured.profile(FIREFOX_MAC).mayHost());
        assertTrue(measured.profile(CHROME_LINUX).mayHost());
        assertTrue(measured.profile(HEADLESS_LINUX).mayHost());
        assertFalse(measuredNoLinux.profile(CHROME_LINUX).mayHost(), "Linux hosts only when allowed");
        assertNull(measured.profile("curl/8.0").family());
        assertNull(measured.profile("").family());
        assertFalse(measured.registersHostOnOffer());
        for (String ua : new String[]{TestPolicies.DESKTOP, TestPolicies.PHONE}) {
            PeerProfile injected = TestPolicies.MEASURED.policy(REPUTATION).profile(ua);
            assertEquals(measured.profile(ua).family(), injected.family(), "the pure tests' profiles are Yauaa's");
            assertEquals(measured.profile(ua).mayHost(), injected.mayHost());
        }
    }

    private static HostEntry host(HostHealth health, int clients) {
        Map<Long, String> ids = clients == 0 ? Map.of() : clients == 1 ? Map.of(1L, "e") : Map.of(1L, "e", 2L, "e");
        return new HostEntry(9, "e", "app/stream", "Blink", 2, ids, health, ONE_NETWORK, 0);
    }

    private static HostHealth vouched(HostHealth h, String witness) {
        return HealthEvent.relay(witness, true, 1_000).applyTo(h);
    }

    private static HostHealth failedFor(HostHealth h, String witness) {
        return HealthEvent.relay(witness, false, 1_000).applyTo(h);
    }

    @Test
    void measuredStandingFollowsWhatTheEdgeSawAndWhatSeveralWitnessesSay() {
        assertTrue(measured.acceptsClients(host(HostHealth.NEW, 0)));
        assertFalse(measured.acceptsClients(host(HostHealth.NEW, 2)), "full");
        assertFalse(measured.acceptsClients(host(HostHealth.NEW.hostFailed(), 0)), "silent before it ever offered");
        HostHealth proven = vouched(HostHealth.NEW.offered(300), "10.0.0.1");
        assertTrue(measured.acceptsClients(host(proven.hostFailed(), 0)), "one silence after an offer is forgiven");
        assertFalse(measured.acceptsClients(host(proven.hostFailed().hostFailed(), 0)), "maxHostFailures in a row");
        assertTrue(measured.acceptsClients(host(proven.hostFailed().hostFailed().offered(200), 0)), "an offer resets the streak");
        assertTrue(measured.acceptsClients(host(failedFor(proven, "10.0.0.2"), 0)), "one witness of a failure is not enough");
        assertFalse(measured.acceptsClients(host(failedFor(failedFor(proven, "10.0.0.2"), "10.0.0.3"), 0)), "two are");
        assertTrue(measured.score(host(proven, 0)) > measured.score(host(HostHealth.NEW, 0)), "proven hosts first");
        assertTrue(measured.score(host(HostHealth.NEW.offered(200), 0)) > measured.score(host(HostHealth.NEW.offered(9_000), 0)),
                "hosts quick to offer first");
        assertTrue(measured.score(host(proven.reportedKbps(1000), 0)) > measured.score(host(proven.reportedKbps(10), 0)),
                "a host that receives little itself is a poor source");
    }

    @Test
    void omeGivesUpOnAHostAfterOneFailureOfItsOwn() {
        OmePolicy ome = new OmePolicy(REPUTATION);
        assertTrue(ome.acceptsClients(host(HostHealth.NEW, 1)));
        assertFalse(ome.acceptsClients(host(HostHealth.NEW.offered(1).hostFailed(), 0)));
        assertTrue(ome.acceptsClients(host(failedFor(HostHealth.NEW.offered(1), "10.0.0.2"), 0)), "one client's word is not");
    }
}
