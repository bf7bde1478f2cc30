package p2pedge.signalling;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.AutoPlayer;
import p2pedge.testing.TestEdge;
import p2pedge.testing.Waits;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;


/**
 * Hosts and their clients whose sockets all close at once (a page of many players closed, a NAT that drops every
 * connection, an attacker's burst): a client's goodbye then reaches a host whose socket is already closed but whose
 * session has not heard it yet. Every session must still be released: none left on the edge, no host in the
 * registry, and the next players are served and paired as before.
 */
@ExtendWith(VertxExtension.class)
class MassLeaveTest {

    private static final int PLAYERS = 300;

    @Test
    void playersClosingAllAtOnceLeaveNoSessionAndNoHostBehind(Vertx vertx) throws Exception {
        try (TestEdge edge = TestEdge.startWithFakeMedia(vertx, new JsonObject().put("p2p", new JsonObject().put("policy", "ome"))
                .put("signalling", new JsonObject().put("maxSocketsPerAddress", 0).put("maxPendingOffersPerAddress", 0))
                .put("http", new JsonObject().put("maxConnectionsPerAddress", 0)))) {
            WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(PLAYERS));
            List<AutoPlayer> players = new ArrayList<>();
            for (int i = 0; i < PLAYERS; i++) {
                AutoPlayer player = AutoPlayer.join(client, edge.port(), AutoPlayer.CHROME_UA);
                players.add(player);
            }
            Waits.until(() -> players.stream().allMatch(p -> p.host() >= 0), 30_000, "every player served");
            long clients = players.stream().filter(p -> p.host() > 0).count();
            // Every connection of the shared client closes in one go.
            client.close().await(10, TimeUnit.SECONDS);
            try {
                Waits.until(() -> peers(vertx).isEmpty() && edge.hosts().isEmpty(), 10_000, "no session and no host left");
            } catch (AssertionError e) {
                throw new AssertionError(peers(vertx).size() + " sessions and " + edge.hosts().size() + " hosts left of "
                        + PLAYERS + " players (" + clients + " of them clients)", e);
            }
            List<AutoPlayer> next = new ArrayList<>();
            try {
                AutoPlayer.hostWithClients(vertx, edge.port(), 2, next);
            } finally {
                next.forEach(AutoPlayer::close);
            }
        }
    }

    private static JsonArray peers(Vertx vertx) throws Exception {
        return vertx.eventBus().<JsonArray>request(SignallingApi.PEERS, null).await(5, TimeUnit.SECONDS).body();
    }
}
