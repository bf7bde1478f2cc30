package p2pedge.signalling;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.SignallingClient;
import p2pedge.testing.TestEdge;
import p2pedge.testing.TestPolicies;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The OvenMediaEngine signalling protocol over real WebSockets: every command and every bad input. */
@Tag("media")
@ExtendWith(VertxExtension.class)
class SignallingProtocolTest {

    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);
    /** Well-formed, but does not match the edge's offer (one m-line, no ICE credentials). */
    private static final String LYING_ANSWER_SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
            + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=recvonly\r\na=rtpmap:96 VP8/90000\r\n";

    private static Vertx vertx;
    private static TestEdge edge;

    @BeforeAll
    static void startEdge(Vertx v) throws Exception {
        vertx = v;
        edge = TestEdge.start(vertx, new JsonObject().put("signalling", new JsonObject()
                .put("messagesPerSecond", 50).put("messageBurst", 100).put("maxProtocolErrors", 20)));
    }

    @AfterAll
    static void stopEdge() throws Exception {
        edge.close();
    }

    /** No test may leave a native connection behind, whatever the player did. */
    @AfterEach
    void noLeakedConnections() throws Exception {
        edge.awaitMediaConnections(0, 5_000);
    }

    private SignallingClient player() throws Exception {
        return SignallingClient.connect(vertx, edge.port(), "/app/stream");
    }

    private static void assertError(JsonObject message, int code) {
        assertEquals(code, message.getInteger("code"), message.encode());
        assertNotNull(message.getString("error"), message.encode());
        assertFalse(message.getString("error").isBlank());
    }

    private static JsonObject command(String name, long id) {
        return new JsonObject().put("command", name).put("id", id);
    }

    @Test
    void requestOfferGetsAnOfferWithVideoAudioAndLoopbackCandidates() throws Exception {
        try (SignallingClient player = player()) {
            JsonObject offer = player.requestOffer();
            long id = offer.getLong("id");
            assertTrue(id > 0 && id <= Integer.MAX_VALUE, "31-bit positive id: " + id);
            assertEquals(0, offer.getInteger("peer_id"));
            assertEquals(200, offer.getInteger("code"));
            JsonObject sdp = offer.getJsonObject("sdp");
            assertEquals("offer", sdp.getString("type"));
            String text = sdp.getString("sdp");
            assertTrue(text.contains("m=video") && text.contains("m=audio"), text);
            assertTrue(text.contains("VP8/90000") && text.contains("opus/48000"), text);
            JsonArray candidates = offer.getJsonArray("candidates");
            assertFalse(candidates.isEmpty());
            for (Object c : candidates) {
                assertTrue(((JsonObject) c).getString("candidate").contains(" 127.0.0.1 "), c.toString());
            }
            assertNull(offer.getValue("iceServers"), "no ice servers unless configured");
            assertNull(offer.getValue("host"), "a player that may not relay (no browser's user agent) is not told it may");
            assertEquals(1, edge.mediaConnections());
        }
    }

    /**
     * The edge's offer tells the project's page whether it may be asked to relay (it then prepares a connection) and
     * the stream's bitrate its relays are capped at (the demo source's configured 600 kbit/s, conf/edge.json).
     */
    @Test
    void anOfferToAPlayerThatMayHostSaysSoWithTheStreamsBitrate() throws Exception {
        try (SignallingClient player = SignallingClient.connect(vertx, edge.port(), "/app/stream", TestPolicies.DESKTOP)) {
            JsonObject offer = player.requestOffer();
            assertEquals(Boolean.TRUE, offer.getBoolean("host"), offer.encode());
            assertEquals(600, offer.getInteger("bitrate_kbps"), offer.encode());
        }
    }

    @Test
    void repeatedRequestOfferReplacesTheConnection() throws Exception {
        try (SignallingClient player = player()) {
            long first = player.requestOffer().getLong("id");
            long second = player.requestOffer().getLong("id");
            assertEquals(first, second, "one session, one id");
            assertEquals(1, edge.mediaConnections());
        }
    }

    @Test
    void candidatesAreAcceptedAndEndOfCandidatesIgnored() throws Exception {
        try (SignallingClient player = player()) {
            long id = player.requestOffer().getLong("id");
            player.send(command("candidate", id).put("peer_id", 0).put("candidates", new JsonArray().add(new JsonObject()
                    .put("candidate", "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host generation 0")
                    .put("sdpMLineIndex", 0).put("sdpMid", "0").put("usernameFragment", "abcd"))));
            player.send(command("candidate", id).put("candidates", new JsonArray().add(new JsonObject().put("candidate", ""))));
            player.roundTrip();
            assertNull(player.poll(), "no error for good candidates");
        }
    }

    @Test
    void garbageCandidatesGetAnErrorAndTheSessionGoesOn() throws Exception {
        try (SignallingClient player = player()) {
            long id = player.requestOffer().getLong("id");
            player.send(command("candidate", id).put("candidates", new JsonArray().add(new JsonObject()
                    .put("candidate", "candidate:garbage; rm -rf /").put("sdpMLineIndex", 0))));
            assertError(player.next(), 400);
            player.send(command("candidate", id).put("candidates", "not an array"));
            assertError(player.next(), 400);
            player.send(command("candidate", id).put("candidates", new JsonArray().add(42)));
            assertError(player.next(), 400);
            player.roundTrip();
            assertEquals(1, edge.mediaConnections(), "the edge connection survives bad candidates");
        }
    }

    @Test
    void aRequestOfferWhoseReportsIsNotABooleanGetsAnError() throws Exception {
        try (SignallingClient player = player()) {
            player.send(new JsonObject().put("command", "request_offer").put("reports", "yes"));
            assertError(player.next(), 400);
            player.send(new JsonObject().put("command", "request_offer").put("reports", true));
            assertEquals("offer", player.next().getString("command"), "a good one is answered");
        }
    }

    @Test
    void candidateBeforeOfferIsRejected() throws Exception {
        try (SignallingClient player = player()) {
            // The id is unknown before the offer, so any id is wrong; the check comes first.
            player.send(new JsonObject().put("command", "candidate").put("candidates", new JsonArray()));
            assertError(player.next(), 400);
        }
    }

    @Test
    void stopEndsTheSessionAndReleasesTheConnection() throws Exception {
        try (SignallingClient player = player()) {
            long id = player.requestOffer().getLong("id");
            assertEquals(1, edge.mediaConnections());
            player.send(command("stop", id));
            assertEquals((short) 1000, player.awaitClose(CLOSE_WAIT).code());
        }
    }

    @Test
    void closingTheSocketReleasesTheConnection() throws Exception {
        SignallingClient player = player();
        player.requestOffer();
        assertEquals(1, edge.mediaConnections());
        player.close();
        edge.awaitMediaConnections(0, 5_000);
    }

    @Test
    void pingIsAnsweredAndPongWithoutIdIsAccepted() throws Exception {
        try (SignallingClient player = player()) {
            player.send(new JsonObject().put("command", "pong"));
            player.roundTrip();
            assertNull(player.poll());
        }
    }

    @Test
    void changeRenditionIsAcknowledged() throws Exception {
        try (SignallingClient player = player()) {
            long id = player.requestOffer().getLong("id");
            player.send(command("change_rendition", id).put("rendition_name", "source").put("auto", false));
            JsonObject notification = player.next();
            assertEquals("notification", notification.getString("command"));
            assertEquals("rendition_changed", notification.getString("type"));
            assertEquals(false, notification.getBoolean("auto"));
            assertEquals("source", notification.getJsonObject("message").getString("rendition_name"));
            player.send(command("change_rendition", id).put("rendition_name", "1080p"));
            assertError(player.next(), 404);
        }
    }

    @Test
    void malformedMessagesGetClearErrors() throws Exception {
        try (SignallingClient player = player()) {
            player.sendText("{not json");
            assertError(player.next(), 400);
            player.sendText("[1,2,3]");
            assertError(player.next(), 400);
            player.sendText("{}");
            assertTrue(player.next().getString("error").contains("command"));
            player.sendText("{\"command\":7}");
            assertError(player.next(), 400);
            player.sendText("{\"command\":\"launch_missiles\"}");
            assertTrue(player.next().getString("error").contains("unknown command"));
            // A host's upload report: an object with counts that are non-negative 31-bit integers.
            player.sendText("{\"command\":\"stats\",\"upload\":\"lots\"}");
            assertTrue(player.next().getString("error").contains("'upload' must be an object"));
            player.sendText("{\"command\":\"stats\",\"upload\":{\"relays\":2}}");
            assertTrue(player.next().getString("error").contains("'upload' must say"));
            player.sendText("{\"command\":\"stats\",\"upload\":{\"relays\":-1,\"kbps\":5}}");
            assertError(player.next(), 400);
            player.sendText("{\"command\":\"stats\",\"upload\":{\"relays\":1,\"kbps\":5,\"limited\":\"yes\"}}");
            assertError(player.next(), 400);
            // A player's freeze count: a non-negative integer.
            player.sendText("{\"command\":\"stats\",\"freezes\":-3}");
            assertTrue(player.next().getString("error").contains("'freezes' must be a non-negative 31-bit integer"));
            player.sendText("{\"command\":\"stats\",\"freezes\":\"many\"}");
            assertError(player.next(), 400);
            player.roundTrip();
        }
    }

    @Test
    void wrongOrMissingIdIsRejected() throws Exception {
        try (SignallingClient player = player()) {
            long id = player.requestOffer().getLong("id");
            long other = id == 1 ? 2 : id - 1;
            player.send(command("candidate", other).put("candidates", new JsonArray()));
            assertTrue(player.next().getString("error").contains("id"));
            player.send(new JsonObject().put("command", "stop"));
            assertTrue(player.next().getString("error").contains("id"));
            player.send(command("stop", id).put("id", "12"));
            assertError(player.next(), 400);
            player.roundTrip();
        }
    }

    @Test
    void answersThatAreNotAnswersAreRejected() throws Exception {
        try (SignallingClient player = player()) {
            player.send(command("answer", 1).put("sdp", new JsonObject().put("type", "answer").put("sdp", LYING_ANSWER_SDP)));
            assertError(player.next(), 400); // wrong id, and no offer yet either
            long id = player.requestOffer().getLong("id");
            player.send(command("answer", id).put("sdp", new JsonObject().put("type", "answer").put("sdp", 42)));
            assertTrue(player.next().getString("error").contains("string"));
            player.send(command("answer", id).put("sdp", "v=0"));
            assertError(player.next(), 400);
            player.send(command("answer", id).put("sdp", new JsonObject().put("type", "offer").put("sdp", LYING_ANSWER_SDP)));
            assertTrue(player.next().getString("error").contains("answer"));
            player.send(command("answer", id).put("sdp", new JsonObject().put("type", "answer").put("sdp", "hello")));
            assertError(player.next(), 400);
            player.send(command("answer", id).put("peer_id", 99).put("sdp", new JsonObject().put("type", "answer").put("sdp", LYING_ANSWER_SDP)));
            assertTrue(player.next().getString("error").contains("peer_id"));
            player.roundTrip();
            assertEquals(1, edge.mediaConnections(), "bad answers do not touch the connection");
        }
    }

    @Test
    void anAnswerThatLiesAboutItsSdpClosesTheSession() throws Exception {
        try (SignallingClient player = player()) {
            long id = player.requestOffer().getLong("id");
            player.send(command("answer", id).put("peer_id", 0)
                    .put("sdp", new JsonObject().put("type", "answer").put("sdp", LYING_ANSWER_SDP)));
            JsonObject error = player.next();
            assertError(error, 400);
            assertTrue(error.getString("error").contains("answer rejected"), error.encode());
            assertEquals((short) 1008, player.awaitClose(CLOSE_WAIT).code());
        }
    }

    @Test
    void answerBeforeOfferIsRejected() throws Exception {
        try (SignallingClient player = player()) {
            long id = player.requestOffer().getLong("id");
            player.send(command("answer", id).put("sdp", new JsonObject().put("type", "answer").put("sdp", LYING_ANSWER_SDP)));
            player.next(); // rejected: the session is closed
            try (SignallingClient fresh = player()) {
                fresh.send(new JsonObject().put("command", "answer").put("id", 5)
                        .put("sdp", new JsonObject().put("type", "answer").put("sdp", LYING_ANSWER_SDP)));
                assertError(fresh.next(), 400);
            }
        }
    }

    @Test
    void oversizedFramesCloseTheSocket() throws Exception {
        int limit = edge.config().signalling().maxFrameBytes();
        try (SignallingClient player = player()) {
            player.sendText("{\"command\":\"ping\",\"pad\":\"" + "x".repeat(limit) + "\"}");
            assertError(player.next(), 413);
            assertEquals((short) 1009, player.awaitClose(CLOSE_WAIT).code());
        }
        try (SignallingClient player = player()) {
            // Far beyond the limit in one frame: refused from its header (never buffered), with the same error.
            player.sendTextNoWait("\"" + "y".repeat(limit * 8) + "\"");
            assertError(player.next(), 413);
            assertEquals((short) 1009, player.awaitClose(CLOSE_WAIT).code());
        }
        try (SignallingClient player = player()) {
            // The same in frames each within the limit: refused as soon as the message outgrows the limit.
            player.sendFragmented("\"" + "z".repeat(limit * 8) + "\"", 16);
            assertError(player.next(), 413);
            assertEquals((short) 1009, player.awaitClose(CLOSE_WAIT).code());
        }
        try (SignallingClient other = player()) {
            other.requestOffer();
        }
    }

    @Test
    void aFloodClosesTheFlooderAndSparesOthers() throws Exception {
        try (SignallingClient bystander = player(); SignallingClient flooder = player()) {
            bystander.requestOffer();
            for (int i = 0; i < 2_000 && !flooder.isClosed(); i++) {
                flooder.sendTextNoWait("{\"command\":\"ping\"}");
            }
            SignallingClient.Closed closed = flooder.awaitClose(CLOSE_WAIT);
            assertEquals((short) 1008, closed.code());
            JsonObject last = null;
            for (JsonObject m; (m = flooder.poll()) != null; ) {
                last = m;
            }
            assertNotNull(last);
            assertError(last, 429);
            bystander.roundTrip();
            assertEquals(1, edge.mediaConnections(), "the bystander keeps its connection");
        }
    }

    @Test
    void tooManyProtocolErrorsCloseTheSocket() throws Exception {
        try (SignallingClient player = player()) {
            int max = edge.config().signalling().maxProtocolErrors();
            for (int i = 0; i <= max; i++) {
                player.sendText("nonsense");
            }
            assertEquals((short) 1008, player.awaitClose(CLOSE_WAIT).code());
        }
    }

    @Test
    void unknownStreamGets404AndClose() throws Exception {
        try (SignallingClient player = SignallingClient.connect(vertx, edge.port(), "/app/nope")) {
            assertError(player.next(), 404);
            assertNotNull(player.awaitClose(CLOSE_WAIT));
        }
        try (SignallingClient player = SignallingClient.connect(vertx, edge.port(), "/just-one-segment")) {
            assertError(player.next(), 404);
            assertNotNull(player.awaitClose(CLOSE_WAIT));
        }
    }

    @Test
    void queryStringsDoNotBreakRouting() throws Exception {
        try (SignallingClient player = SignallingClient.connect(vertx, edge.port(), "/app/stream?transport=tcp&sig=abc")) {
            player.requestOffer();
        }
    }

    @Test
    void binaryFramesAreRejected() throws Exception {
        try (SignallingClient player = player()) {
            player.sendBinary(new byte[]{1, 2, 3});
            assertError(player.next(), 400);
            player.roundTrip();
        }
    }
}
