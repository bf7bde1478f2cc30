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
 * can be demultiplexed. Everything else gets no answer at all: an error response (400, 401) would make the port a
 * reflector for anyone's spoofed requests and tell a guesser that a ufrag exists. Stateless and thread-safe.
 */
public final class IceLiteResponder {

    /** What a valid check means: reply with {@code response}; {@code from} belongs to {@code localUfrag}. */
    public record Check(byte[] response, String localUfrag, String remoteUfrag, InetSocketAddress from,
                        boolean nominated) {
    }

    /** Why a datagram got no response. */
    public enum Rejection { NOT_STUN, MALFORMED, NOT_A_BINDING_REQUEST, NO_CREDENTIALS, UNKNOWN_UFRAG, BAD_FINGERPRINT, BAD_INTEGRITY }

    /**
     * A rejected datagram, answered with silence; {@code request} is the parsed Binding request of a
     * {@link Rejection#NO_CREDENTIALS} rejection (another service may answer it), else null.
     */
    public record Rejected(Rejection reason, StunMessage request) {
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
            return rejected(Rejection.NOT_STUN);
        }
        StunMessage request;
        try {
            request = StunMessage.parse(data, length);
        } catch (StunException e) {
            return rejected(Rejection.MALFORMED);
        }
        if (request.type() != StunMessage.BINDING_REQUEST) {
            return rejected(Rejection.NOT_A_BINDING_REQUEST);
        }
        String username = request.username().orElse("");
        int colon = username.indexOf(':');
        if (colon <= 0 || !request.has(StunMessage.MESSAGE_INTEGRITY)) {
            return new Result(null, new Rejected(Rejection.NO_CREDENTIALS, request));
        }
        String localUfrag = username.substring(0, colon);
        Optional<String> password = passwordOfLocalUfrag.apply(localUfrag);
        if (password.isEmpty()) {
            return rejected(Rejection.UNKNOWN_UFRAG);
        }
        if (request.has(StunMessage.FINGERPRINT) && !request.hasValidFingerprint()) {
            return rejected(Rejection.BAD_FINGERPRINT);
        }
        byte[] key = password.get().getBytes(StandardCharsets.UTF_8);
        if (!request.hasValidIntegrity(key)) {
            return rejected(Rejection.BAD_INTEGRITY);
        }
        byte[] response = StunMessage.builder(StunMessage.BINDING_SUCCESS, request.transactionId())
                .xorMappedAddress(from)
                .string(StunMessage.SOFTWARE, SOFTWARE)
                .build(key, true);
        return new Result(new Check(response, localUfrag, username.substring(colon + 1), from,
                request.has(StunMessage.USE_CANDIDATE)), null);
    }

    private static Result rejected(Rejection reason) {
        return new Result(null, new Rejected(reason, null));
    }
}
