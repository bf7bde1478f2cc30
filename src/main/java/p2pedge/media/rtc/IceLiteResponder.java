package p2pedge.media.rtc;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Function;

/**
 * The ICE-lite side of connectivity checks (RFC 8445 section 2.5): the edge never sends checks, it answers the
 * player's Binding requests on its one shared UDP port. A request is answered only when its USERNAME names a
 * local ufrag this edge handed out and its MESSAGE-INTEGRITY was made with that session's password; the
 * answer tells the caller which session the remote address belongs to, so later DTLS/SRTP datagrams from it
 * can be demultiplexed. Stateless and thread-safe.
 */
public final class IceLiteResponder {

    /** What a valid check means: reply with {@code response}; {@code from} belongs to {@code localUfrag}. */
    public record Check(byte[] response, String localUfrag, String remoteUfrag, InetSocketAddress from,
                        boolean nominated) {
    }

    /** Why a datagram got no success response. */
    public enum Rejection { NOT_STUN, MALFORMED, NOT_A_BINDING_REQUEST, UNKNOWN_UFRAG, BAD_FINGERPRINT, BAD_INTEGRITY }

    /** A rejected datagram: the reason, and an error response to send back when the protocol asks for one. */
    public record Rejected(Rejection reason, byte[] errorResponse) {
    }

    /** Either a check or a rejection. */
    public record Result(Check check, Rejected rejected) {
        public boolean accepted() {
            return check != null;
        }
    }

    private static final String SOFTWARE = "p2p-edge";

    private final Function<String, Optional<String>> passwordOfLocalUfrag;

    /** @param passwordOfLocalUfrag the ICE password of the session that owns a local ufrag, if any */
    public IceLiteResponder(Function<String, Optional<String>> passwordOfLocalUfrag) {
        this.passwordOfLocalUfrag = passwordOfLocalUfrag;
    }

    public Result onDatagram(byte[] data, int length, InetSocketAddress from) {
        if (!StunMessage.looksLikeStun(data, length)) {
            return rejected(Rejection.NOT_STUN, null);
        }
        StunMessage request;
        try {
            request = StunMessage.parse(data, length);
        } catch (StunException e) {
            return rejected(Rejection.MALFORMED, null);
        }
        if (request.type() != StunMessage.BINDING_REQUEST) {
            return rejected(Rejection.NOT_A_BINDING_REQUEST, null);
        }
        String username = request.username().orElse("");
        int colon = username.indexOf(':');
        if (colon <= 0 || !request.has(StunMessage.MESSAGE_INTEGRITY)) {
            return rejected(Rejection.MALFORMED, error(request, 400, "Bad Request", null));
        }
        String localUfrag = username.substring(0, colon);
        Optional<String> password = passwordOfLocalUfrag.apply(localUfrag);
        if (password.isEmpty()) {
            // Nobody we know: say nothing, so the port reveals nothing to scanners.
            return rejected(Rejection.UNKNOWN_UFRAG, null);
        }
        if (request.has(StunMessage.FINGERPRINT) && !request.hasValidFingerprint()) {
            return rejected(Rejection.BAD_FINGERPRINT, null);
        }
        byte[] key = password.get().getBytes(StandardCharsets.UTF_8);
        if (!request.hasValidIntegrity(key)) {
            return rejected(Rejection.BAD_INTEGRITY, error(request, 401, "Unauthorized", null));
        }
        byte[] response = StunMessage.builder(StunMessage.BINDING_SUCCESS, request.transactionId())
                .xorMappedAddress(from)
                .string(StunMessage.SOFTWARE, SOFTWARE)
                .build(key, true);
        return new Result(new Check(response, localUfrag, username.substring(colon + 1), from,
                request.has(StunMessage.USE_CANDIDATE)), null);
    }

    private static Result rejected(Rejection reason, byte[] errorResponse) {
        return new Result(null, new Rejected(reason, errorResponse));
    }

    private static byte[] error(StunMessage request, int code, String reason, byte[] key) {
        byte[] phrase = reason.getBytes(StandardCharsets.UTF_8);
        byte[] value = new byte[4 + phrase.length];
        value[2] = (byte) (code / 100);
        value[3] = (byte) (code % 100);
        System.arraycopy(phrase, 0, value, 4, phrase.length);
        return StunMessage.builder(StunMessage.BINDING_ERROR, request.transactionId())
                .attribute(StunMessage.ERROR_CODE, value)
                .build(key, true);
    }
}
