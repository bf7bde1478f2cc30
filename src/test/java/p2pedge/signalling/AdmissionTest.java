package p2pedge.signalling;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.Scrape;
import p2pedge.testing.SignallingClient;
import p2pedge.testing.TestEdge;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The signalling port with admission on: a player without a valid token for its stream reads a 401 or 403 error and
 * its socket closes, before any offer (and before learning whether the stream exists); one with a token in its URL
 * plays; refusals are counted by reason.
 */
@ExtendWith(VertxExtension.class)
class AdmissionTest {

    private static final String SECRET = "a-secret-of-at-least-thirty-two-bytes!";
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    private static Vertx vertx;
    private static TestEdge edge;

    @BeforeAll
    static void start(Vertx v) throws Exception {
        vertx = v;
        edge = TestEdge.startWithFakeMedia(vertx, new JsonObject().put("admission", new JsonObject().put("enabled", true)
                .put("jwtKeys", new JsonArray().add(new JsonObject().put("algorithm", "HS256").put("secret", SECRET)))));
    }

    @AfterAll
    static void stop() throws Exception {
        edge.close();
    }

    private static String token(JsonObject claims) {
        JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)));
        return signer.generateToken(claims, new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(60));
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
        refusedWith("/app/stream", 401);
        refusedWith("/app/stream?token=forged.token.here", 401);
        refusedWith("/app/nope", 401); // whether a stream exists is no one's business without a token
        refusedWith("/app/stream?token=" + token(new JsonObject().put("stream", "other/stream")), 403);
        Scrape scrape = Scrape.of(edge.metricsPort());
        assertEquals(2.0, scrape.value("p2pedge_admission_refusals_total", "reason=\"no_token\""));
        assertEquals(1.0, scrape.value("p2pedge_admission_refusals_total", "reason=\"invalid_token\""));
        assertEquals(1.0, scrape.value("p2pedge_admission_refusals_total", "reason=\"other_stream\""));
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
