package p2pedge.admission;

/**
 * A player kept out, with the protocol's error code: 401 (no token, or one that is not valid: bad signature,
 * expired, not yet valid, malformed) or 403 (a valid token that does not allow this: another stream, another address).
 * {@code reason} is a short label for the refusal counter.
 */
public final class Refused extends RuntimeException {

    private final int code;
    private final String reason;

    Refused(int code, String reason, String message) {
        super(message, null, false, false);
        this.code = code;
        this.reason = reason;
    }

    /** The refusal an admission future failed with; anything else (a bug) as a 500, so the player still reads why. */
    public static Refused of(Throwable failure) {
        return failure instanceof Refused refused ? refused : new Refused(500, "error", "admission failed: " + failure.getMessage());
    }

    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }
}
