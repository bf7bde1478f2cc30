package p2pedge.lab;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.Chromium;
import p2pedge.testing.Lab;
import p2pedge.testing.OvenPlayerPages;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Unmodified OvenPlayer behind NATs (issue 19): its relay legs never use STUN and its host candidates are mDNS
 * names that resolve only in its own home, so a host and a client in different homes have no path. The edge
 * pairs OvenPlayers only within one home (same public address); every other OvenPlayer plays from the edge at
 * once. The edge runs its default configuration (the 640x360@30 demo stream). Homes: two behind cone NATs and a
 * public address, one OvenPlayer each; then two devices of one home behind a cone NAT. Every player must decode
 * within 5 s of starting (the page's own clock, from OvenPlayer.create, in a browser already running) and still
 * decode 10 s later; each prints its signalling timeline and how long its page took to load before that (the
 * test's page server and the browser, not the edge).
 */
@Tag("lab")
@ExtendWith(VertxExtension.class)
class LabOvenPlayerTest {

    /** From the player's start (OvenPlayer.create) to its first frame. */
    private static final long FIRST_FRAME_BOUND_MS = 5_000;
    /** From one player's first frame to the next one's browser starting (a host's relay settles meanwhile). */
    private static final long ARRIVAL_GAP_MS = 2_000;
    private static OvenPlayerPages pages;
    private static Lab lab;
    private static Lab.Edge edge;
    private static String homeOne;
    private static String homeTwo;
    private static String publicHome;
    private static List<String> twoDevices;

    /** {@code firstFrameMillis} and {@code createdMillis} on the page's clock (since it opened). */
    private record Player(String name, Chromium chromium, Chromium.Page page, long firstFrameMillis, long createdMillis) {
        long playerMillis() {
            return firstFrameMillis - createdMillis;
        }

        /** The page's load before OvenPlayer started: the document and each script, as the browser timed them. */
        String pageLoad() throws Exception {
            return createdMillis + " ms to load the page (" + page.eval("performance.getEntriesByType('navigation')"
                    + ".concat(performance.getEntriesByType('resource')).map(e => (e.entryType === 'navigation' ? 'page' : e.name"
                    + ".replace(/^.*\\//, '').slice(0, 20)) + ' ' + [e.startTime, e.connectStart, e.connectEnd, e.requestStart,"
                    + " e.responseStart, e.responseEnd].map(Math.round).join('/')).join(', ')") + " ms: start/connect/connected"
                    + "/request/response/end)";
        }

        long frames() throws Exception {
            return ((Number) page.eval("window.frames()")).longValue();
        }

        /** When OvenPlayer opened its signalling WebSocket, on the page's clock. */
        long connectedMillis() throws Exception {
            return ((Number) page.eval("Number((window.op.signalling.find(e => e.startsWith('connect@')) || 'connect@-1').split('@')[1])"))
                    .longValue();
        }
    }

    private static void assertWithinBound(Player p) throws Exception {
        assertTrue(p.playerMillis() <= FIRST_FRAME_BOUND_MS, p.name + " decodes within 5 s of starting: " + p.playerMillis()
                + " ms (" + (p.firstFrameMillis - p.connectedMillis()) + " ms from its first signalling message; " + p.pageLoad() + ")");
    }

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        OvenPlayerPages.assertInstalled(OvenPlayerPages.LAST_RELAYING);
        OvenPlayerPages.assertInstalled(OvenPlayerPages.NEWEST);
        lab = Lab.start();
        edge = lab.edge("e1", 10, Map.of());
        homeOne = lab.home(1, Lab.Home.CONE).get(0);
        homeTwo = lab.home(2, Lab.Home.CONE).get(0);
        publicHome = lab.home(3, Lab.Home.PUBLIC).get(0);
        twoDevices = lab.home(5, Lab.Home.CONE, 2, 0, 0);
    }

    /**
     * The pages come from the test, at its address on the lab's internet, on a new port for each test: a browser
     * started in a home that reached the same address and port a minute before took 11 s to connect (the home
     * router's NAT still held the earlier connection, which the device's kernel numbered alike).
     */
    @BeforeEach
    void servePages(Vertx vertx) throws Exception {
        pages = OvenPlayerPages.start(vertx, Lab.TEST_ADDRESS);
    }

    @AfterEach
    void stopPages() throws Exception {
        if (pages != null) {
            pages.close();
            pages = null;
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    private static Player open(Vertx vertx, String version, String name, String namespace, List<Player> opened) throws Exception {
        if (!opened.isEmpty()) {
            Thread.sleep(ARRIVAL_GAP_MS); // viewers arrive a little apart, as in LabNatTest
        }
        Chromium chromium = Lab.runningBrowser(vertx, namespace);
        opened.add(new Player(name, chromium, null, -1, 0)); // closed however this ends
        Player playing = waitForFrames(name, version, chromium, chromium.open(pages.url(version, edge.wsUrl("app/stream"))));
        opened.set(opened.size() - 1, playing);
        return playing;
    }

    private static void assertAllPlayNowAndLater(String version, List<Player> players) throws Exception {
        for (Player p : players) {
            System.out.printf("lab OvenPlayer %s: %-16s first frame %5d ms after the player started; %s; player states, ms since the page opened: %s%n",
                    version, p.name, p.playerMillis(), p.pageLoad(), p.page.eval("window.op.states.concat(window.op.signalling).join(' ')"));
        }
        for (Player p : players) {
            assertWithinBound(p);
        }
        long[] before = new long[players.size()];
        for (int i = 0; i < before.length; i++) {
            before[i] = players.get(i).frames();
        }
        Thread.sleep(10_000);
        for (int i = 0; i < before.length; i++) {
            long after = players.get(i).frames();
            assertTrue(after - before[i] >= 50, players.get(i).name + " still decodes 10 s later: " + before[i] + " -> "
                    + after + "; states " + players.get(i).page.eval("JSON.stringify(window.op)"));
        }
    }

    /** The edge counts {@code expected} clients among the players of {@code scenario} (printed). */
    private void assertClients(String scenario, int expected, String why) throws Exception {
        JsonObject roles = edge.p2pStatus().getJsonObject("byRole");
        System.out.println("lab OvenPlayer " + OvenPlayerPages.LAST_RELAYING + ", " + scenario + ": roles " + roles.encode());
        assertEquals(expected, roles.getInteger("client", 0), why + ": " + roles);
    }

    @Test
    void relayingOvenPlayersInThreeHomesEachPlayFromTheEdge(Vertx vertx) throws Exception {
        List<Player> players = new ArrayList<>();
        try {
            open(vertx, OvenPlayerPages.LAST_RELAYING, "home 1", homeOne, players);
            open(vertx, OvenPlayerPages.LAST_RELAYING, "home 2", homeTwo, players);
            open(vertx, OvenPlayerPages.LAST_RELAYING, "public home", publicHome, players);
            assertAllPlayNowAndLater(OvenPlayerPages.LAST_RELAYING, players);
            assertClients("three homes", 0, "no OvenPlayer is a client of another home's");
        } finally {
            players.forEach(p -> p.chromium.close());
        }
    }

    @Test
    void twoRelayingOvenPlayersBehindOneNatPlayOneFromTheOther(Vertx vertx) throws Exception {
        List<Player> players = new ArrayList<>();
        try {
            open(vertx, OvenPlayerPages.LAST_RELAYING, "one home, device 1", twoDevices.get(0), players);
            Player second = open(vertx, OvenPlayerPages.LAST_RELAYING, "one home, device 2", twoDevices.get(1), players);
            assertAllPlayNowAndLater(OvenPlayerPages.LAST_RELAYING, players);
            assertEquals(Boolean.TRUE, second.page.eval("window.op.signalling.some(e => e.startsWith('<offer:'))"),
                    "the second device got its offer from the first: " + second.page.eval("JSON.stringify(window.op)"));
            assertClients("one home", 1, "the second device plays from the first");
        } finally {
            players.forEach(p -> p.chromium.close());
        }
    }

    @Test
    void ovenPlayersThatNeverRelayPlayFromTheEdgeInEveryHome(Vertx vertx) throws Exception {
        List<Player> players = new ArrayList<>();
        try {
            open(vertx, OvenPlayerPages.NEWEST, "home 1", homeOne, players);
            open(vertx, OvenPlayerPages.NEWEST, "home 2", homeTwo, players);
            open(vertx, OvenPlayerPages.NEWEST, "public home", publicHome, players);
            assertAllPlayNowAndLater(OvenPlayerPages.NEWEST, players);
        } finally {
            players.forEach(p -> p.chromium.close());
        }
    }

    /**
     * A home whose Wi-Fi isolates its devices: two OvenPlayers there have the same public address, so the second is
     * placed on the first, and their relay cannot connect (OvenMediaEngine's black screen, which the edge cannot
     * see: OvenPlayer says nothing after its answer). The viewer reloads; that is the one sign the edge gets, and
     * from then on the home's OvenPlayers play from the edge: the reloaded page and a third device decode within
     * 5 s of starting.
     */
    @Test
    void anOvenPlayerWhoseRelayCannotConnectInItsHomePlaysFromTheEdgeOnceItReloads(Vertx vertx) throws Exception {
        List<String> isolated = lab.home(4, Lab.Home.CONE, 3, 0, 0);
        lab.isolate(4);
        List<Player> players = new ArrayList<>();
        Chromium second = null;
        try {
            open(vertx, OvenPlayerPages.LAST_RELAYING, "isolated home, device 1", isolated.get(0), players);
            second = Lab.runningBrowser(vertx, isolated.get(1));
            String url = pages.url(OvenPlayerPages.LAST_RELAYING, edge.wsUrl("app/stream"));
            Chromium.Page black = second.open(url);
            Thread.sleep(8_000);
            assertEquals(Boolean.TRUE, black.eval("window.op.signalling.some(e => e.startsWith('<offer:'))"),
                    "the second device is placed on the first (same public address): " + black.eval("JSON.stringify(window.op)"));
            assertEquals(0L, ((Number) black.eval("window.frames()")).longValue(),
                    "the lab reproduces the failure: client isolation stops the relay");
            black.close();
            Chromium.Page reloaded = second.open(url);
            Player again = waitForFrames("isolated home, device 2 reloaded", OvenPlayerPages.LAST_RELAYING, second, reloaded);
            players.add(again);
            Player third = open(vertx, OvenPlayerPages.LAST_RELAYING, "isolated home, device 3", isolated.get(2), players);
            for (Player p : List.of(again, third)) {
                System.out.printf("lab OvenPlayer %s: %-30s first frame %5d ms after the player started; %s; %s%n", OvenPlayerPages.LAST_RELAYING,
                        p.name, p.playerMillis(), p.pageLoad(), p.page.eval("window.op.states.concat(window.op.signalling).join(' ')"));
                assertEquals(Boolean.FALSE, p.page.eval("window.op.signalling.some(e => e.startsWith('<offer:'))"),
                        p.name + " plays from the edge");
                assertWithinBound(p);
            }
        } finally {
            players.forEach(p -> p.chromium.close());
            if (second != null) {
                second.close();
            }
        }
    }

    /**
     * The first frame of an OvenPlayer page already open, or an assertion error after three times the bound (from the
     * page's opening: its load is part of that wait, not of the bound).
     */
    private static Player waitForFrames(String name, String version, Chromium chromium, Chromium.Page page) throws Exception {
        long at = Lab.firstFrameMillis(page, "typeof window.frames === 'function' ? window.frames() : 0", 3 * FIRST_FRAME_BOUND_MS);
        if (at < 0) {
            throw new AssertionError(name + " (OvenPlayer " + version + ") decoded nothing within " + 3 * FIRST_FRAME_BOUND_MS
                    + " ms; OvenPlayer states " + page.eval("JSON.stringify(window.op)"));
        }
        return new Player(name, chromium, page, at, ((Number) page.eval("window.op.created")).longValue());
    }
}
