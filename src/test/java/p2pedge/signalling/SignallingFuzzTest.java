package p2pedge.signalling;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.AutoPlayer;
import p2pedge.testing.SignallingClient;
import p2pedge.testing.TestEdge;
import p2pedge.testing.Waits;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A signalling fuzzer, bounded in count and time and seeded: sockets send random and mutated protocol messages
 * (valid commands with fields dropped, retyped, out of range, ids of real peers, truncated JSON, binary frames,
 * floods) while synthetic players hold P2P roles. Afterwards the edge still serves, the players keep their
 * places, the registry agrees with them, and nothing of the fuzzers is left (sessions, media connections).
 */
@ExtendWith(VertxExtension.class)
class SignallingFuzzTest {

    private static final int SOCKETS = 40;
    private static final int MESSAGES_PER_SOCKET = 150;
    private static final long TIME_LIMIT_MS = 60_000;
    private static final String[] COMMANDS = {"request_offer", "answer", "candidate", "stop", "ping", "pong", "change_rendition",
            "offer_p2p", "answer_p2p", "candidate_p2p", "stats", "request_offer_p2p", "offer", "", "STOP", "\u0000"};

    @Test
    void randomAndMutatedMessagesLeaveTheEdgeServingAndTheRegistryConsistent(Vertx vertx) throws Exception {
        Random random = new Random(20261125);
        List<AutoPlayer> players = new ArrayList<>();
        try (TestEdge edge = TestEdge.startWithFakeMedia(vertx, new JsonObject().put("p2p", new JsonObject().put("policy", "ome"))
                .put("signalling", new JsonObject().put("maxProtocolErrors", 1_000))
                // The host's edge connection is offered and never answered (fake SDP): keep it for the whole run.
                .put("media", new JsonObject().put("connectTimeoutSeconds", 300)))) {
            AutoPlayer host = AutoPlayer.hostWithClients(vertx, edge.port(), 2, players);
            List<Long> realIds = players.stream().map(AutoPlayer::id).toList();

            WebSocketClient wsClient = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 20)
                    .setMaxConnections(SOCKETS * 2));
            long deadline = System.currentTimeMillis() + TIME_LIMIT_MS;
            int sent = 0;
            int closedByEdge = 0;
            for (int s = 0; s < SOCKETS && System.currentTimeMillis() < deadline; s++) {
                ClientWebSocket socket = wsClient.webSocket();
                boolean[] closed = {false};
                socket.closeHandler(v -> closed[0] = true);
                socket.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(edge.port()).setURI("/app/stream")
                        .addHeader("User-Agent", random.nextBoolean() ? AutoPlayer.CHROME_UA : "fuzz/" + random.nextInt())).await(10, TimeUnit.SECONDS);
                for (int m = 0; m < MESSAGES_PER_SOCKET && !closed[0]; m++) {
                    if (random.nextInt(40) == 0) {
                        socket.writeBinaryMessage(Buffer.buffer(bytes(random, random.nextInt(300))));
                    } else {
                        socket.writeTextMessage(message(random, realIds));
                    }
                    sent++;
                    if (m % 25 == 0) {
                        Thread.sleep(2); // mostly under the rate limit, so the parser sees most of it; floods come in bursts
                    }
                }
                closedByEdge += closed[0] ? 1 : 0;
                socket.close().await(5, TimeUnit.SECONDS);
            }
            wsClient.close().await(5, TimeUnit.SECONDS);
            System.out.printf("signalling fuzz: %d messages on %d sockets, %d sockets closed by the edge%n", sent, SOCKETS, closedByEdge);
            assertTrue(sent >= SOCKETS * MESSAGES_PER_SOCKET / 4, "the fuzzer got its messages out: " + sent);

            // Nothing of the fuzzers is left; the players are where they were; the registry agrees with them.
            Waits.until(() -> new p2pedge.p2p.P2pApi(vertx.eventBus(), 5_000).hosts().await(5, TimeUnit.SECONDS).size() == 1,
                    5_000, "one host in the registry");
            JsonArray hosts = edge.hosts();
            assertEquals(host.id(), hosts.getJsonObject(0).getLong("host"), hosts.encode());
            assertEquals(new JsonArray(List.of(players.get(1).id(), players.get(2).id()).stream().sorted().toList()),
                    hosts.getJsonObject(0).getJsonArray("clients"), "the registry still holds exactly the real clients");
            assertEquals(host.id(), players.get(1).host());
            assertEquals(host.id(), players.get(2).host());
            Waits.until(() -> edge.mediaConnections() <= 1, 10_000, "only the host's edge connection (offered, never answered) remains");

            // And it still serves a new player normally.
            try (SignallingClient fresh = SignallingClient.connect(vertx, edge.port(), "/app/stream")) {
                fresh.send(new JsonObject().put("command", "ping"));
                assertEquals("pong", fresh.next().getString("command"));
                fresh.send(new JsonObject().put("command", "request_offer"));
                JsonObject offer = fresh.next();
                assertEquals("offer", offer.getString("command"), offer.encode());
            }
        } finally {
            players.forEach(AutoPlayer::close);
        }
    }

    /** A valid-looking message, then mutated: fields dropped, retyped, out of range, or the text cut or garbled. */
    private static String message(Random random, List<Long> realIds) {
        JsonObject json = new JsonObject().put("command", COMMANDS[random.nextInt(COMMANDS.length)]);
        if (random.nextInt(4) > 0) {
            json.put("id", random.nextBoolean() ? realIds.get(random.nextInt(realIds.size())) : random.nextLong());
        }
        if (random.nextBoolean()) {
            json.put("peer_id", random.nextBoolean() ? realIds.get(random.nextInt(realIds.size())) : (long) random.nextInt(5));
        }
        if (random.nextBoolean()) {
            json.put("sdp", random.nextBoolean() ? new JsonObject().put("type", "answer").put("sdp", "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n")
                    : value(random));
        }
        if (random.nextBoolean()) {
            json.put("candidates", random.nextBoolean() ? new JsonArray().add(new JsonObject().put("candidate",
                    "candidate:1 1 udp 1 127.0.0.1 9 typ host").put("sdpMLineIndex", 0)) : value(random));
        }
        for (int i = random.nextInt(3); i > 0; i--) {
            json.put(random.nextBoolean() ? "rendition_name" : "x" + random.nextInt(10), value(random));
        }
        String text = json.encode();
        return switch (random.nextInt(10)) {
            case 0 -> text.substring(0, random.nextInt(text.length())); // cut
            case 1 -> text.replace(':', random.nextBoolean() ? ',' : '{'); // garbled
            case 2 -> "[" + text + "]";
            default -> text;
        };
    }

    private static Object value(Random random) {
        return switch (random.nextInt(9)) {
            case 0 -> null;
            case 1 -> random.nextLong();
            case 2 -> -1;
            case 3 -> "x".repeat(random.nextInt(2_000));
            case 4 -> new JsonArray().add(random.nextInt()).add("y");
            case 5 -> new JsonObject().put("a", new JsonObject().put("b", new JsonArray().add(new JsonObject())));
            case 6 -> random.nextDouble() * 1e300;
            case 7 -> "\ud83d\ude00\u0000\u202e";
            default -> random.nextBoolean();
        };
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
