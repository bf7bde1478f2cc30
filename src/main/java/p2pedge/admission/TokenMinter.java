package p2pedge.admission;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import p2pedge.config.EdgeConfig;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Mints player tokens for testing and for operators without a token service of their own ({@code bin/token}),
 * signed with the first HMAC key of {@code admission.jwtKeys}: an edge holding only public keys cannot sign (the
 * private key is wherever the operator's own service signs).
 */
public final class TokenMinter {

    /** What a token says: its stream (or "app/*"), lifetime, optional P2P consent and address. */
    public record Claims(String stream, long ttlSeconds, String p2p, String addr) {
    }

    private TokenMinter() {
    }

    /**
     * {@code --stream S [--ttl SECONDS] [--p2p host|client|none] [--addr IP]}; fails with a message naming what is
     * wrong.
     */
    public static Claims parse(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
            }
            options.put(args[i].substring(2), args[++i]);
        }
        String stream = options.remove("stream");
        if (stream == null || !stream.matches("[A-Za-z0-9._~-]+/([A-Za-z0-9._~-]+|\\*)|[A-Za-z0-9._~-]*\\*")) {
            throw new IllegalArgumentException("--stream app/stream (or app/*) is required");
        }
        long ttl;
        try {
            ttl = Long.parseLong(options.getOrDefault("ttl", "3600"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--ttl must be a number of seconds");
        }
        options.remove("ttl");
        if (ttl <= 0 || ttl > 366L * 86_400) {
            throw new IllegalArgumentException("--ttl must be between 1 second and a year");
        }
        String p2p = options.remove("p2p");
        if (p2p != null) {
            EdgeConfig.P2pConsent.valueOf(p2p.toUpperCase(Locale.ROOT)); // host, client or none
        }
        String addr = options.remove("addr");
        if (!options.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s): " + options.keySet());
        }
        return new Claims(stream, ttl, p2p == null ? null : p2p.toLowerCase(Locale.ROOT), addr);
    }

    /** The token, signed with the first HMAC key of {@code admission}. */
    public static String mint(Vertx vertx, EdgeConfig.Admission admission, Claims claims) {
        EdgeConfig.JwtKey key = admission.jwtKeys().stream().filter(k -> k.algorithm().startsWith("HS")).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("admission.jwtKeys has no HMAC key (HS256, HS384, HS512) "
                        + "to sign with: with public keys only, sign tokens where the private key is"));
        JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(PlayerAdmission.keyOptions(key)));
        JsonObject payload = new JsonObject().put("stream", claims.stream());
        if (claims.p2p() != null) {
            payload.put("p2p", claims.p2p());
        }
        if (claims.addr() != null) {
            payload.put("addr", claims.addr());
        }
        return signer.generateToken(payload, new JWTOptions().setAlgorithm(key.algorithm())
                .setExpiresInSeconds((int) Math.min(Integer.MAX_VALUE, claims.ttlSeconds())));
    }
}
