package p2pedge.testing;

import io.vertx.core.Vertx;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The project's player page in a browser of a lab namespace, as the lab tests read it: its state
 * ({@code window.p2pEdgePlayer}), its frames and its log; {@code firstFrameMillis}: when it first decoded, on the
 * page's own clock (ms since its navigation started).
 */
public record LabPlayer(String name, Chromium chromium, Chromium.Page page, long firstFrameMillis) {

    /**
     * Opens the page in a running browser in {@code namespace} and adds it to {@code opened} at once (so that it is
     * closed whatever happens); returns once it decodes, or fails after {@code boundMillis}.
     */
    public static LabPlayer open(Vertx vertx, Lab.Edge edge, String name, String namespace, List<LabPlayer> opened,
                                 long boundMillis) throws Exception {
        Chromium chromium = Lab.runningBrowser(vertx, namespace);
        Chromium.Page page = chromium.open(edge.playerUrl("app/stream"));
        LabPlayer opening = new LabPlayer(name, chromium, page, -1);
        opened.add(opening);
        long at = Lab.firstFrameMillis(page, "window.p2pEdgePlayer ? window.p2pEdgePlayer.decodedNow() : 0", boundMillis);
        if (at < 0) {
            throw new AssertionError(name + " decoded nothing within " + boundMillis + " ms:\n" + opening.log());
        }
        LabPlayer player = new LabPlayer(name, chromium, page, at);
        opened.set(opened.size() - 1, player);
        return player;
    }

    public Object state(String field) throws Exception {
        return page.eval("window.p2pEdgePlayer." + field);
    }

    /** A numeric field of the page's state; -1 while it has none (between two sources). */
    public long number(String field) throws Exception {
        return state(field) instanceof Number n ? n.longValue() : -1;
    }

    /** Whom it plays from: 0 the edge, else its host's id (-1 between two sources). */
    public long peer() throws Exception {
        return number("peerId");
    }

    public long decodedNow() throws Exception {
        return ((Number) page.eval("window.p2pEdgePlayer.decodedNow()")).longValue();
    }

    public String log() throws Exception {
        return String.valueOf(page.eval("window.p2pEdgePlayer.log.join('\\n')"));
    }

    /** Each of {@code players} decodes at least {@code minFrames} more frames over the next {@code millis}. */
    public static void assertAllKeepPlaying(List<LabPlayer> players, long millis, long minFrames) throws Exception {
        long[] before = new long[players.size()];
        for (int i = 0; i < before.length; i++) {
            before[i] = players.get(i).decodedNow();
        }
        Thread.sleep(millis);
        for (int i = 0; i < before.length; i++) {
            LabPlayer p = players.get(i);
            long after = p.decodedNow();
            assertTrue(after - before[i] >= minFrames, p.name() + " keeps playing (" + minFrames + " frames in " + millis
                    + " ms): " + before[i] + " -> " + after + "\n" + p.log());
        }
    }
}
