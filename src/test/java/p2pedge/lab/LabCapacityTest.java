package p2pedge.lab;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.Lab;
import p2pedge.testing.LabPlayer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Adaptive capacity where it matters: a host whose home upload (tbf on its router, 900 kbit/s) cannot carry two
 * relays of the default stream (600 kbit/s each). Two viewers in other homes are placed on it (a new host starts
 * with 2 slots); its relays' encoders are held back, its page says so, the edge takes a slot away and moves its
 * newest client to the edge. The host keeps the other client, which it can serve, and every viewer keeps playing.
 */
@Tag("lab")
@ExtendWith(VertxExtension.class)
class LabCapacityTest {

    private static final String TOKEN = "lab-admin-token-for-the-capacity-test";
    private static final int HOST_UPLOAD_KBIT = 900;
    /** Relay ramp-up (5 s, the page), limitation held (6 s, the edge), reports every 2 s, and slack for 2 cores. */
    private static final long SHED_BOUND_MS = 40_000;

    /** The registry's entry of {@code hostId} (the shed client may become a host of its own). */
    private static JsonObject hostEntry(Lab.Edge edge, long hostId) throws Exception {
        JsonArray hosts = new JsonArray(edge.admin("/admin/hosts", TOKEN));
        for (int i = 0; i < hosts.size(); i++) {
            if (hosts.getJsonObject(i).getLong("host") == hostId) {
                return hosts.getJsonObject(i);
            }
        }
        throw new AssertionError("host " + hostId + " is not registered: " + hosts.encode());
    }

    @Test
    void aHostWhoseUploadCarriesOneRelayKeepsOneClientAndItsNewestPlaysFromTheEdge(Vertx vertx) throws Exception {
        try (Lab lab = Lab.start()) {
            Lab.Edge edge = lab.edge("e1", 10, Map.of("metrics.adminToken", TOKEN));
            String cappedHome = lab.home(1, Lab.Home.CONE, 1, HOST_UPLOAD_KBIT, 0).get(0);
            String home2 = lab.home(2, Lab.Home.CONE).get(0);
            String home3 = lab.home(3, Lab.Home.CONE).get(0);
            List<LabPlayer> players = new ArrayList<>();
            try {
                LabPlayer host = LabPlayer.open(vertx, edge, "capped host", cappedHome, players, 20_000);
                long hostId = host.number("id");
                Thread.sleep(2_000);
                LabPlayer older = LabPlayer.open(vertx, edge, "client, home 2", home2, players, 20_000);
                Thread.sleep(2_000);
                LabPlayer newer = LabPlayer.open(vertx, edge, "client, home 3", home3, players, 20_000);
                assertEquals(hostId, older.peer(), "home 2 plays from the host:\n" + older.log());
                assertEquals(hostId, newer.peer(), "home 3 plays from the host too (a new host has 2 slots):\n" + newer.log());

                long start = System.currentTimeMillis();
                JsonObject entry = hostEntry(edge, hostId);
                while (entry.getInteger("capacity") > 1 && System.currentTimeMillis() - start < SHED_BOUND_MS) {
                    Thread.sleep(500);
                    entry = hostEntry(edge, hostId);
                }
                long shedAfter = System.currentTimeMillis() - start;
                Object upload = host.page().eval("JSON.stringify(window.p2pEdgePlayer.upload)");
                System.out.printf("lab capacity: host with %d kbit/s upload: %d slot(s) %d ms after its second client played; "
                        + "its last upload report %s; clients %s%n", HOST_UPLOAD_KBIT, entry.getInteger("capacity"), shedAfter,
                        upload, entry.getJsonArray("clients"));
                assertEquals(1, entry.getInteger("capacity"), "the host keeps one slot within " + SHED_BOUND_MS
                        + " ms; its upload reports: " + host.page().eval("JSON.stringify(window.p2pEdgePlayer.uploads)")
                        + "\n" + host.log());
                assertEquals(new JsonArray().add(older.number("id")), entry.getJsonArray("clients"), "it keeps its older client");

                long until = System.currentTimeMillis() + 15_000;
                while (newer.peer() != 0 && System.currentTimeMillis() < until) {
                    Thread.sleep(200);
                }
                assertEquals(0, newer.peer(), "the newest client plays from the edge:\n" + newer.log());
                LabPlayer.assertAllKeepPlaying(players, 5_000, 75); // 30 fps
                assertEquals(1, hostEntry(edge, hostId).getInteger("capacity"), "one relay fits its upload: it is not lowered again");
                assertEquals(hostId, older.peer(), "the older client still plays from the host");
            } finally {
                players.forEach(p -> p.chromium().close());
            }
        }
    }
}
