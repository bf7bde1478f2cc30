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
        byte[] transaction = new byte[12];
        RANDOM.nextBytes(transaction);
        return StunMessage.builder(StunMessage.BINDING_REQUEST, transaction)
                .string(StunMessage.USERNAME, ufrag + ":player")
                .attribute(StunMessage.PRIORITY, ByteBuffer.allocate(4).putInt(1853817087).array())
                .attribute(StunMessage.ICE_CONTROLLING, new byte[8])
                .attribute(StunMessage.USE_CANDIDATE, new byte[0])
                .build(password.getBytes(StandardCharsets.UTF_8), true);
    }
}
