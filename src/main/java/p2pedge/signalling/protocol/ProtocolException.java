package p2pedge.signalling.protocol;

/** A player broke the protocol: carries the error code sent back and whether the session must end. */
public final class ProtocolException extends Exception {

    private final int code;
    private final boolean fatal;

    public ProtocolException(int code, String message, boolean fatal) {
        super(message, null, false, false);
        this.code = code;
        this.fatal = fatal;
    }

    public static ProtocolException badRequest(String message) {
        return new ProtocolException(400, message, false);
    }

    public int code() {
        return code;
    }

    public boolean fatal() {
        return fatal;
    }
}
