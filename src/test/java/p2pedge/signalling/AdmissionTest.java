package p2pedge.signalling;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.AdminClient;
import p2pedge.testing.PlayerTokens;
import p2pedge.testing.Scrape;
import p2pedge.testing.SignallingClient;
import p2pedge.testing.TestEdge;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static p2pedge.testing.P2pScript.CHROME_WINDOWS;
import static p2pedge.testing.P2pScript.placedOn;
import static p2pedge.testing.P2pScript.servedByEdge;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The signalling port with admission on: a player without a valid token for its stream reads a 401 or 403 error and
 * its socket closes, before any offer (and before learning whether the stream exists); one with a token in its URL
 * plays; refusals are counted by reason.
 */
@ExtendWith(VertxExtension.class)
class AdmissionTest {

    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    private static Vertx vertx;
    private static TestEdge edge;

    @BeforeAll
    static void start(Vertx v) throws Exception {
        vertx = v;
        edge = TestEdge.startWithFakeMedia(vertx, new JsonObject().put("admission", PlayerTokens.admission()));
    }

    @AfterAll
    static void stop() throws Exception {
        edge.close();
    }

    private static String token(JsonObject claims) {
        return PlayerTokens.valid(vertx, claims);
    }

    private static void refusedWith(String path, int code) throws Exception {
        try (SignallingClient player = SignallingClient.connect(vertx, edge.port(), path)) {
            JsonObject error = player.next();
            assertEquals(code, error.getInteger("code"), error.encode());
            assertTrue(error.getString("error", "").contains("token"), error.encode());
            assertNotNull(player.awaitClose(CLOSE_WAIT), "the socket closes after the error");
        }
    }

    @Test
    void aPlayerWithoutAValidTokenForItsStreamIsRefusedBeforeAnyOffer() throws Exception {
        Scrape before = Scrape.of(edge.metricsPort());
        refusedWith("/app/stream", 401);
        refusedWith("/app/stream?token=forged.token.here", 401);
        refusedWith("/app/nope", 401); // whether a stream exists is no one's business without a token
        refusedWith("/app/stream?token=" + token(new JsonObject().put("stream", "other/stream")), 403);
        Scrape after = Scrape.of(edge.metricsPort());
        java.util.Map.of("no_token", 2.0, "invalid_token", 1.0, "other_stream", 1.0).forEach((reason, count) -> {
            String label = "reason=\"" + reason + "\"";
            assertEquals(count, refusals(after, label) - refusals(before, label), reason);
        });
    }

    /**
     * The p2p claim, end to end (policy ome, which registers hosts at their offer): a {@code none} player is served by
     * the edge although a host has room and is never a host itself; a {@code client} player plays from the host and
     * never hosts; the edge's own view (/admin/peers and the host registry) agrees.
     */
    @Test
    void aPlayerIsNeverPairedBeyondWhatItsTokenAllows() throws Exception {
        // Its own Vert.x: two edges on one event bus would answer each other's requests.
        Vertx own = Vertx.vertx();
        try (TestEdge p2p = TestEdge.startWithFakeMedia(own, new JsonObject()
                .put("p2p", new JsonObject().put("policy", "ome").put("maxClientPeersPerHostPeer", 2))
                .put("admission", PlayerTokens.admission()))) {
            SignallingClient first = player(p2p, "client");
            SignallingClient host = player(p2p, "host");
            SignallingClient none = player(p2p, "none");
            SignallingClient client = player(p2p, "client");
            try (first; host; none; client) {
                long firstId = servedByEdge(first); // no host yet, and it may not host: the edge
                long hostId = servedByEdge(host);
                long noneId = servedByEdge(none); // the host has two free slots, and it is still the edge
                long clientId = placedOn(client, host, hostId);
                JsonArray hosts = p2p.hosts();
                assertEquals(1, hosts.size(), "only the player whose token lets it host is one: " + hosts.encode());
                assertEquals(hostId, hosts.getJsonObject(0).getLong("host"));
                JsonArray peers = new JsonArray(AdminClient.call(p2p.metricsPort(), "GET", "/admin/peers", p2p.adminToken()).body());
                assertEquals("edge", role(peers, noneId), "served by the edge, neither host nor client");
                assertEquals("edge", role(peers, firstId));
                assertEquals("client", role(peers, clientId));
            }
        } finally {
            own.close().await(30, TimeUnit.SECONDS);
        }
    }

    private static String role(JsonArray peers, long id) {
        return peers.stream().map(JsonObject.class::cast).filter(p -> p.getLong("id") == id).findFirst()
                .orElseThrow(() -> new AssertionError(id + " not in " + peers.encode())).getString("role");
    }

    private static SignallingClient player(TestEdge edge, String p2p) throws Exception {
        return SignallingClient.connect(vertx, edge.port(), "/app/stream?token="
                + token(new JsonObject().put("stream", "app/stream").put("p2p", p2p)), CHROME_WINDOWS);
    }

    /** An SDP POST to {@code path} on the edge, with a bearer token (null: none). */
    private static HttpResponse<String> post(String path, String bearer) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + path))
                .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString("v=0\r\n"));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        try {
            return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** WHIP takes, besides an app's own token, a token of the admission keys that says "publish": true for the stream. */
    @Test
    void whipTakesATokenThatMayPublish() {
        HttpResponse<String> publisher = post("/app/stream", token(new JsonObject().put("stream", "app/stream").put("publish", true)));
        assertTrue(publisher.statusCode() != 401 && publisher.statusCode() != 403, publisher.statusCode() + " " + publisher.body());
        assertEquals(403, post("/app/stream", token(new JsonObject().put("stream", "app/stream"))).statusCode(),
                "a player's token does not publish");
        assertEquals(403, post("/app/other", token(new JsonObject().put("stream", "app/stream").put("publish", true))).statusCode());
        assertEquals(403, post("/app/stream", null).statusCode(), "the app has no WHIP token and is not open");
    }

    /** WHEP takes the same tokens, as a bearer token or in the query; refusals are 401 (with a challenge) or 403. */
    @Test
    void whepTakesTheSameTokens() {
        HttpResponse<String> none = post("/whep/app/stream", null);
        assertEquals(401, none.statusCode(), none.body());
        assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(""));
        assertEquals(403, post("/whep/app/stream", token(new JsonObject().put("stream", "other/stream"))).statusCode());
        HttpResponse<String> bearer = post("/whep/app/stream", token(new JsonObject().put("stream", "app/stream")));
        assertTrue(bearer.statusCode() != 401 && bearer.statusCode() != 403, bearer.statusCode() + " " + bearer.body());
        HttpResponse<String> query = post("/whep/app/stream?token=" + token(new JsonObject().put("stream", "app/stream")), null);
        assertTrue(query.statusCode() != 401 && query.statusCode() != 403, query.statusCode() + " " + query.body());
    }

    /** A refusal counter's value (0 before its first refusal: the series does not exist yet). */
    private static double refusals(Scrape scrape, String label) {
        double value = scrape.value("p2pedge_admission_refusals_total", label);
        return Double.isNaN(value) ? 0 : value;
    }

    @Test
    void aPlayerWithATokenInItsUrlPlays() throws Exception {
        try (SignallingClient player = SignallingClient.connect(vertx, edge.port(),
                "/app/stream?token=" + token(new JsonObject().put("stream", "app/*")))) {
            JsonObject offer = player.requestOffer();
            assertEquals("offer", offer.getString("command"), offer.encode());
            assertEquals(0, offer.getInteger("peer_id"));
        }
    }
}
