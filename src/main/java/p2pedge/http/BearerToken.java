package p2pedge.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** The check of an {@code Authorization: Bearer <token>} header, in constant time (no timing hint to a guesser). */
public final class BearerToken {

    private final byte[] expected;

    public BearerToken(String token) {
        this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    /** Whether the request's {@code Authorization} header (null when absent) carries this token. */
    public boolean admits(String authorizationHeader) {
        return authorizationHeader != null
                && MessageDigest.isEqual(authorizationHeader.getBytes(StandardCharsets.UTF_8), expected);
    }
}
