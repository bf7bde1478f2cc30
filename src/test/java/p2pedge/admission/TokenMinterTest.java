package p2pedge.admission;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import p2pedge.config.EdgeConfig;
import p2pedge.config.EdgeConfig.P2pConsent;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bin/token: its options, and that what it mints is what the edge lets in. */
class TokenMinterTest {

    private static final EdgeConfig.Admission ADMISSION = new EdgeConfig.Admission(true,
            List.of(new EdgeConfig.JwtKey("ES256", "", "-----BEGIN PUBLIC KEY-----"),
                    new EdgeConfig.JwtKey("HS256", "a-secret-of-at-least-thirty-two-bytes!", "")), 5, P2pConsent.HOST);
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void optionsAreCheckedAndNamedWhenWrong() {
        assertEquals(new TokenMinter.Claims("app/stream", 3600, null, null), TokenMinter.parse(new String[]{"--stream", "app/stream"}));
        assertEquals(new TokenMinter.Claims("app/*", 60, "none", "198.51.100.7"), TokenMinter.parse(
                new String[]{"--stream", "app/*", "--ttl", "60", "--p2p", "NONE", "--addr", "198.51.100.7"}));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TokenMinter.parse(new String[]{"--ttl", "60"}))
                .getMessage().contains("--stream"));
        assertThrows(IllegalArgumentException.class, () -> TokenMinter.parse(new String[]{"--stream", "app/stream", "--ttl", "0"}));
        assertThrows(IllegalArgumentException.class, () -> TokenMinter.parse(new String[]{"--stream", "app/stream", "--p2p", "all"}));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TokenMinter.parse(new String[]{"--stream", "app/stream", "--room", "x"}))
                .getMessage().contains("room"));
        assertThrows(IllegalArgumentException.class, () -> TokenMinter.parse(new String[]{"--stream"}));
    }

    @Test
    void aMintedTokenLetsItsPlayerInWithWhatItSays() throws Exception {
        String token = TokenMinter.mint(vertx, ADMISSION, new TokenMinter.Claims("app/stream", 60, "client", null));
        Admitted admitted = new PlayerAdmission(vertx, new EdgeConfig.Admission(true, List.of(ADMISSION.jwtKeys().get(1)), 5,
                P2pConsent.HOST)).admit(token, "app/stream", "198.51.100.7").await(10, TimeUnit.SECONDS);
        assertEquals(new Admitted(P2pConsent.CLIENT), admitted);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TokenMinter.mint(vertx, new EdgeConfig.Admission(true,
                List.of(ADMISSION.jwtKeys().get(0)), 5, P2pConsent.HOST), new TokenMinter.Claims("app/stream", 60, null, null)))
                .getMessage().contains("HMAC"));
    }
}
