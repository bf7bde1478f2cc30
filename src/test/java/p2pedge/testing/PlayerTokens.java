package p2pedge.testing;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

/** Player tokens for tests of admission: one HMAC secret, the edge's configuration for it, tokens it signs. */
public final class PlayerTokens {

    public static final String SECRET = "a-secret-of-at-least-thirty-two-bytes!";

    private PlayerTokens() {
    }

    /** The {@code admission} section that makes an edge take tokens signed with {@link #SECRET}, and no others. */
    public static JsonObject admission() {
        return new JsonObject().put("enabled", true)
                .put("jwtKeys", new JsonArray().add(new JsonObject().put("algorithm", "HS256").put("secret", SECRET)));
    }

    /** A token of {@code claims} signed with {@code secret} (HS256), exactly as given: no expiry unless they have one. */
    public static String signed(Vertx vertx, String secret, JsonObject claims) {
        JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
        return signer.generateToken(claims, new JWTOptions().setAlgorithm("HS256"));
    }

    /** A token of {@code claims} signed with {@link #SECRET}, valid for a minute. */
    public static String valid(Vertx vertx, JsonObject claims) {
        return signed(vertx, SECRET, claims.copy().put("exp", System.currentTimeMillis() / 1000 + 60));
    }
}
