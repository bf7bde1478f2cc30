package p2pedge.media.rtc;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/** ICE checks as a controlling player sends them to the edge's ICE-lite port, for tests that play the player by hand. */
final class IceChecks {

    private static final SecureRandom RANDOM = new SecureRandom();

    private IceChecks() {
    }

    /** A binding request for the edge's {@code ufrag}, nominating (USE-CANDIDATE), with the integrity of {@code password}. */
    static byte[] nominating(String ufrag, String password) {
        return check(ufrag, password, true);
    }

    /** The same without USE-CANDIDATE: the pair is checked, not yet chosen (libwebrtc may start DTLS then). */
    static byte[] checking(String ufrag, String password) {
        return check(ufrag, password, false);
    }

    private static byte[] check(String ufrag, String password, boolean nominate) {
        byte[] transaction = new byte[12];
        RANDOM.nextBytes(transaction);
        StunMessage.Builder request = StunMessage.builder(StunMessage.BINDING_REQUEST, transaction)
                .string(StunMessage.USERNAME, ufrag + ":player")
                .attribute(StunMessage.PRIORITY, ByteBuffer.allocate(4).putInt(1853817087).array())
                .attribute(StunMessage.ICE_CONTROLLING, new byte[8]);
        if (nominate) {
            request.attribute(StunMessage.USE_CANDIDATE, new byte[0]);
        }
        return request.build(password.getBytes(StandardCharsets.UTF_8), true);
    }
}
