package p2pedge.admission;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import p2pedge.config.EdgeConfig;
import p2pedge.config.EdgeConfig.P2pConsent;
import p2pedge.testing.PlayerTokens;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Signed player tokens: what lets a player in, what keeps it out (with which code), what it allows in P2P. */
class PlayerAdmissionTest {

    private static final String SECRET = PlayerTokens.SECRET;
    private static final String OLD_SECRET = "the-secret-before-the-last-rotation!!";
    private static final String ADDRESS = "198.51.100.7";
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private static PlayerAdmission admission(List<EdgeConfig.JwtKey> keys) {
        return new PlayerAdmission(vertx, new EdgeConfig.Admission(true, keys, 5, P2pConsent.HOST));
    }

    private static PlayerAdmission hmac() {
        return admission(List.of(new EdgeConfig.JwtKey("HS256", SECRET, ""), new EdgeConfig.JwtKey("HS256", OLD_SECRET, "")));
    }

    /** A token signed with {@code secret}, its claims as given (exp only when {@code claims} has it). */
    private static String token(String secret, JsonObject claims) {
        return PlayerTokens.signed(vertx, secret, claims);
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    private static JsonObject valid() {
        return new JsonObject().put("stream", "app/stream").put("exp", now() + 60);
    }

    private static Admitted admit(PlayerAdmission admission, String token, String stream) throws Exception {
        return admission.admit(token, stream, ADDRESS).await(10, TimeUnit.SECONDS);
    }

    private static Refused refused(PlayerAdmission admission, String token, String stream) {
        return assertThrows(Refused.class, () -> admit(admission, token, stream));
    }

    @Test
    void withoutAdmissionEveryPlayerIsLetInWithTheDefault() throws Exception {
        PlayerAdmission open = new PlayerAdmission(vertx, new EdgeConfig.Admission(false, List.of(), 5, P2pConsent.CLIENT));
        assertFalse(open.enabled());
        assertEquals(new Admitted(P2pConsent.CLIENT), admit(open, null, "app/stream"));
    }

    @Test
    void aValidTokenLetsInAndEitherKeyOfARotationSigns() throws Exception {
        assertEquals(new Admitted(P2pConsent.HOST), admit(hmac(), token(SECRET, valid()), "app/stream"), "no p2p claim: the default");
        assertEquals(new Admitted(P2pConsent.HOST), admit(hmac(), token(OLD_SECRET, valid()), "app/stream"));
    }

    @Test
    void missingForgedExpiredEarlyOrUnboundedTokensAre401() {
        assertEquals(401, refused(hmac(), null, "app/stream").code());
        assertEquals("no_token", refused(hmac(), " ", "app/stream").reason());
        assertEquals("invalid_token", refused(hmac(), token("another-secret-of-thirty-two-bytes!!!", valid()), "app/stream").reason(),
                "signed with a key the edge does not have");
        assertEquals(401, refused(hmac(), "not.a.jwt", "app/stream").code());
        assertEquals(401, refused(hmac(), token(SECRET, valid().put("exp", now() - 60)), "app/stream").code(), "expired");
        assertEquals(401, refused(hmac(), token(SECRET, valid().put("nbf", now() + 60)), "app/stream").code(), "not yet valid");
        Refused noExpiry = refused(hmac(), token(SECRET, new JsonObject().put("stream", "app/stream")), "app/stream");
        assertEquals(401, noExpiry.code());
        assertTrue(noExpiry.getMessage().contains("exp"), noExpiry.getMessage());
        assertEquals(401, refused(hmac(), token(SECRET, valid().put("p2p", "everything")), "app/stream").code());
    }

    /** An attacker's classics: an unsigned token ("alg": "none"), and a valid token's claims changed under its signature. */
    @Test
    void unsignedOrAlteredTokensAre401() {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        String claims = base64.encodeToString(valid().encode().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String unsigned = base64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                + "." + claims + ".";
        assertEquals(401, refused(hmac(), unsigned, "app/stream").code(), "alg none");
        String[] parts = token(SECRET, valid()).split("\\.");
        String altered = parts[0] + "." + base64.encodeToString(valid().put("stream", "app/*").put("p2p", "host").encode()
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "." + parts[2];
        assertEquals(401, refused(hmac(), altered, "app/stream").code(), "claims changed under the signature");
    }

    @Test
    void aTokenForAnotherStreamOrAddressIs403() throws Exception {
        Refused other = refused(hmac(), token(SECRET, valid()), "app/other");
        assertEquals(403, other.code());
        assertEquals("other_stream", other.reason());
        assertEquals(403, refused(hmac(), token(SECRET, valid().put("stream", 7)), "app/stream").code(),
                "a stream claim that is not a string");
        String app = token(SECRET, valid().put("stream", "app/*"));
        assertEquals(new Admitted(P2pConsent.HOST), admit(hmac(), app, "app/other"), "a prefix covers every stream of the app");
        assertEquals(403, refused(hmac(), app, "apples/stream").code(), "...and no other app");
        assertEquals(403, refused(hmac(), token(SECRET, valid().put("addr", "203.0.113.9")), "app/stream").code());
        assertEquals(new Admitted(P2pConsent.HOST), admit(hmac(), token(SECRET, valid().put("addr", ADDRESS)), "app/stream"));
    }

    @Test
    void theP2pClaimSaysWhatThePlayerMayDoInP2p() throws Exception {
        Admitted host = admit(hmac(), token(SECRET, valid().put("p2p", "host")), "app/stream");
        assertTrue(host.mayHost() && host.mayBeClient());
        Admitted client = admit(hmac(), token(SECRET, valid().put("p2p", "client")), "app/stream");
        assertTrue(!client.mayHost() && client.mayBeClient());
        Admitted none = admit(hmac(), token(SECRET, valid().put("p2p", "none")), "app/stream");
        assertTrue(!none.mayHost() && !none.mayBeClient());
    }

    @Test
    void aPublicKeyVerifiesTokensItsPrivateKeySigned() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("ES256")
                .setBuffer(pem("PRIVATE KEY", keys.getPrivate().getEncoded()))));
        String token = signer.generateToken(valid(), new JWTOptions().setAlgorithm("ES256"));
        PlayerAdmission admission = admission(List.of(new EdgeConfig.JwtKey("ES256", "", pem("PUBLIC KEY", keys.getPublic().getEncoded()))));
        assertEquals(new Admitted(P2pConsent.HOST), admit(admission, token, "app/stream"));
        assertEquals(401, refused(admission, token(SECRET, valid()), "app/stream").code(), "an HMAC token where only a public key is known");
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    @Test
    void theTokenComesFromTheQueryOrTheAuthorizationHeader() {
        assertEquals("a.b+c", PlayerAdmission.tokenOf("x=1&token=a.b%2Bc", null), "URL-decoded");
        assertEquals("q", PlayerAdmission.tokenOf("token=q", "Bearer h"), "the query first");
        assertEquals("h", PlayerAdmission.tokenOf("", "bearer h"));
        assertNull(PlayerAdmission.tokenOf(null, "Basic dXNlcg=="));
        assertNull(PlayerAdmission.tokenOf("stream=app", null));
    }
}
