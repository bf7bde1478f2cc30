package p2pedge.admission;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.auth.JWTOptions;
import p2pedge.config.EdgeConfig;
import p2pedge.config.EdgeConfig.P2pConsent;

import java.util.Locale;

/**
 * Checks a player's token before the edge does anything for it, the way LiveKit's tokens and OvenMediaEngine's
 * SignedPolicy work: signed (HMAC or a public key; several keys for rotation), with an expiry ({@code exp},
 * required), an optional {@code nbf}, and claims: {@code stream} (required: "app/stream", or a prefix ending in
 * "*", e.g. "app/*"), {@code addr} (optional: the only address the player may come from) and {@code p2p}
 * ({@code host}, {@code client} or {@code none}; absent: {@code admission.defaultP2p}); and for a WHIP publisher,
 * {@code publish}. Without {@code admission.enabled} every player is let in with the default.
 */
public final class PlayerAdmission {

    private final EdgeConfig.Admission config;
    private final JWTAuth jwt;

    public PlayerAdmission(Vertx vertx, EdgeConfig.Admission config) {
        this.config = config;
        if (!config.enabled()) {
            this.jwt = null;
            return;
        }
        JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(new JWTOptions().setLeeway(config.leewaySeconds()));
        config.jwtKeys().forEach(key -> options.addPubSecKey(keyOptions(key)));
        this.jwt = JWTAuth.create(vertx, options);
    }

    public boolean enabled() {
        return jwt != null;
    }

    /**
     * Lets a player in, or fails with {@link Refused}.
     *
     * @param token   the token it presented (null or blank: none)
     * @param stream  the stream it opens ("app/stream")
     * @param address its address as the edge sees it
     */
    public Future<Admitted> admit(String token, String stream, String address) {
        if (jwt == null) {
            return Future.succeededFuture(new Admitted(config.defaultP2p()));
        }
        return verified(token, stream, address, "player").map(this::consent);
    }

    /**
     * Lets a WHIP publisher in on a token of these keys with {@code "publish": true} for the stream (besides the
     * per-app {@code whip.tokens}), or fails with {@link Refused}; never with admission off.
     */
    public Future<Void> admitPublisher(String token, String stream, String address) {
        if (jwt == null) {
            return Future.failedFuture(new Refused(401, "no_token", "no publisher token"));
        }
        return verified(token, stream, address, "publisher").map(claims -> {
            if (!Boolean.TRUE.equals(claims.getValue("publish"))) {
                throw new Refused(403, "not_publisher", "the token does not allow publishing (no \"publish\": true)");
            }
            return null;
        });
    }

    /**
     * The claims of a token signed with these keys, unexpired, with an expiry, for {@code stream} and (when it names
     * one) {@code address}; else fails with {@link Refused}. {@code who}: "player" or "publisher", for the messages.
     */
    private Future<JsonObject> verified(String token, String stream, String address, String who) {
        if (token == null || token.isBlank()) {
            return Future.failedFuture(new Refused(401, "no_token", "this edge needs a " + who + " token (?token= or Authorization: Bearer)"));
        }
        return jwt.authenticate(new TokenCredentials(token))
                .recover(t -> Future.failedFuture(new Refused(401, "invalid_token", who + " token not valid: " + t.getMessage())))
                .map(user -> {
                    JsonObject claims = claimsOf(user);
                    if (!(claims.getValue("exp") instanceof Number)) {
                        throw new Refused(401, "invalid_token", who + " token not valid: it has no expiry (exp)");
                    }
                    Object granted = claims.getValue("stream");
                    if (!(granted instanceof String pattern) || !covers(pattern, stream)) {
                        throw new Refused(403, "other_stream", who + " token is not for stream " + stream);
                    }
                    Object addr = claims.getValue("addr");
                    if (addr != null && !address.equals(addr)) {
                        throw new Refused(403, "other_address", who + " token is not for your address");
                    }
                    return claims;
                });
    }

    /** A configured key as Vert.x's JWT library takes it: the HMAC secret, or the PEM public key. */
    static PubSecKeyOptions keyOptions(EdgeConfig.JwtKey key) {
        return new PubSecKeyOptions().setAlgorithm(key.algorithm())
                .setBuffer(key.algorithm().startsWith("HS") ? key.secret() : key.publicKey());
    }

    /** The token's payload: Vert.x keeps it in the user's attributes ({@code accessToken}), the token in its principal. */
    private static JsonObject claimsOf(io.vertx.ext.auth.User user) {
        JsonObject claims = user.attributes().getJsonObject("accessToken");
        return claims != null ? claims : user.principal();
    }

    /** What a verified token allows in P2P: its {@code p2p} claim, or the configured default without one. */
    private Admitted consent(JsonObject claims) {
        Object p2p = claims.getValue("p2p");
        if (p2p == null) {
            return new Admitted(config.defaultP2p());
        }
        try {
            return new Admitted(P2pConsent.valueOf(String.valueOf(p2p).toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            throw new Refused(401, "invalid_token", "player token not valid: p2p must be host, client or none");
        }
    }

    /**
     * The token a player presents: the {@code token} query parameter (all OvenPlayer can set: its URL) or, from a
     * client that can set headers, {@code Authorization: Bearer}; null when neither.
     */
    public static String tokenOf(String query, String authorization) {
        if (query != null && !query.isEmpty()) {
            java.util.List<String> values = new QueryStringDecoder(query, false).parameters().get("token");
            if (values != null && !values.isEmpty()) {
                return values.get(0);
            }
        }
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        return null;
    }

    /** "app/stream" covers that stream only; "app/*" (any pattern ending in "*") every stream it prefixes. */
    static boolean covers(String pattern, String stream) {
        return pattern.endsWith("*") ? stream.startsWith(pattern.substring(0, pattern.length() - 1)) : pattern.equals(stream);
    }
}
