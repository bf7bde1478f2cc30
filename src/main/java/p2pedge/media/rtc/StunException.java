package p2pedge.media.rtc;

/** A datagram that is not a well-formed STUN message. */
public final class StunException extends Exception {

    public StunException(String message) {
        super(message, null, false, false);
    }
}
