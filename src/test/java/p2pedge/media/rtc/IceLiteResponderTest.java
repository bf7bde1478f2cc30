package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IceLiteResponderTest {

    private static final String LOCAL_UFRAG = "edge1";
    private static final String PASSWORD = "a-long-enough-ice-password";
    private final IceLiteResponder responder = new IceLiteResponder(
            ufrag -> ufrag.equals(LOCAL_UFRAG) ? Optional.of(PASSWORD) : Optional.empty());
    private final InetSocketAddress from;

    IceLiteResponderTest() throws Exception {
        from = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 50123);
    }

    private static byte[] check(String username, String password, boolean useCandidate) {
        byte[] transaction = new byte[12];
        new Random(1).nextBytes(transaction);
        StunMessage.Builder builder = StunMessage.builder(StunMessage.BINDING_REQUEST, transaction)
                .string(StunMessage.USERNAME, username)
                .attribute(StunMessage.PRIORITY, new byte[]{0x6e, 0, 1, (byte) 0xff})
                .attribute(StunMessage.ICE_CONTROLLING, new byte[8]);
        if (useCandidate) {
            builder.attribute(StunMessage.USE_CANDIDATE, new byte[0]);
        }
        return builder.build(password.getBytes(StandardCharsets.UTF_8), true);
    }

    @Test
    void aValidCheckGetsAnAuthenticatedResponseWithTheMappedAddress() throws Exception {
        byte[] request = check(LOCAL_UFRAG + ":player9", PASSWORD, true);
        IceLiteResponder.Result result = responder.onDatagram(request, request.length, from);
        assertTrue(result.accepted());
        assertEquals(LOCAL_UFRAG, result.check().localUfrag());
        assertEquals("player9", result.check().remoteUfrag());
        assertTrue(result.check().nominated());
        byte[] bytes = result.check().response();
        StunMessage response = StunMessage.parse(bytes, bytes.length);
        assertEquals(StunMessage.BINDING_SUCCESS, response.type());
        assertEquals(from, response.xorMappedAddress().orElseThrow());
        assertTrue(response.hasValidIntegrity(PASSWORD.getBytes(StandardCharsets.UTF_8)));
        assertTrue(response.hasValidFingerprint());
    }

    @Test
    void wrongPasswordsUnknownUfragsAndOtherMessagesAreRejectedWithoutAnAnswer() {
        byte[] badPassword = check(LOCAL_UFRAG + ":p", "not-the-password", false);
        IceLiteResponder.Result bad = responder.onDatagram(badPassword, badPassword.length, from);
        assertFalse(bad.accepted());
        assertEquals(IceLiteResponder.Rejection.BAD_INTEGRITY, bad.rejected().reason());
        // No 401: the result carries nothing to send, so a wrong password and an unknown ufrag look alike on the wire.

        byte[] stranger = check("nobody:p", PASSWORD, false);
        IceLiteResponder.Result unknown = responder.onDatagram(stranger, stranger.length, from);
        assertEquals(IceLiteResponder.Rejection.UNKNOWN_UFRAG, unknown.rejected().reason());

        byte[] bare = StunMessage.builder(StunMessage.BINDING_REQUEST, new byte[12]).build(null, false);
        assertEquals(20, bare.length);
        assertEquals(IceLiteResponder.Rejection.NO_CREDENTIALS, responder.onDatagram(bare, bare.length, from).rejected().reason(),
                "a request without USERNAME and MESSAGE-INTEGRITY is refused (no 400: the port is no reflector)");

        byte[] response = StunMessage.builder(StunMessage.BINDING_SUCCESS, new byte[12]).build(null, true);
        assertEquals(IceLiteResponder.Rejection.NOT_A_BINDING_REQUEST,
                responder.onDatagram(response, response.length, from).rejected().reason());
        byte[] rtp = {(byte) 0x80, 96, 0, 1};
        assertEquals(IceLiteResponder.Rejection.NOT_STUN, responder.onDatagram(rtp, rtp.length, from).rejected().reason());
    }

    /**
     * Random and mutated datagrams: never an exception, never a success without the password. Bounded.
     * Mutations stay within what MESSAGE-INTEGRITY covers (everything before the 8-byte FINGERPRINT): a message
     * whose bytes after it changed is still authentic, and RFC 8489 has receivers ignore such attributes.
     */
    @Test
    void fuzzedDatagramsNeverCrashOrPass() {
        Random random = new Random(42);
        byte[] valid = check(LOCAL_UFRAG + ":p", PASSWORD, false);
        for (int i = 0; i < 20_000; i++) {
            byte[] datagram;
            if (i % 2 == 0) {
                datagram = new byte[random.nextInt(200)];
                random.nextBytes(datagram);
                if (datagram.length >= 8 && random.nextBoolean()) {
                    // Make it pass the quick test sometimes, to reach the parser.
                    datagram[0] = 0;
                    datagram[1] = 1;
                    datagram[2] = (byte) ((datagram.length - 20) >>> 8);
                    datagram[3] = (byte) (datagram.length - 20);
                    datagram[4] = 0x21; datagram[5] = 0x12; datagram[6] = (byte) 0xa4; datagram[7] = 0x42;
                }
            } else {
                datagram = valid.clone();
                int flips = 1 + random.nextInt(3);
                for (int f = 0; f < flips; f++) {
                    datagram[20 + random.nextInt(datagram.length - 20 - 8)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            if (java.util.Arrays.equals(datagram, valid)) {
                continue; // two flips of the same bit cancelled out
            }
            IceLiteResponder.Result result = responder.onDatagram(datagram, datagram.length, from);
            if (result.accepted()) {
                StringBuilder diff = new StringBuilder();
                for (int b = 0; b < Math.min(valid.length, datagram.length); b++) {
                    if (valid[b] != datagram[b]) {
                        diff.append(b).append(' ');
                    }
                }
                throw new AssertionError("a corrupted check was accepted at iteration " + i + ", length " + datagram.length
                        + " of " + valid.length + ", bytes changed: " + diff + " in " + java.util.HexFormat.of().formatHex(valid));
            }
        }
    }

    @Test
    void packetKindsFollowRfc7983() {
        assertEquals(PacketKind.STUN, PacketKind.of(new byte[]{0, 1}, 2));
        assertEquals(PacketKind.DTLS, PacketKind.of(new byte[]{22, (byte) 0xfe}, 2));
        assertEquals(PacketKind.RTP, PacketKind.of(new byte[]{(byte) 0x80, 96}, 2));
        assertEquals(PacketKind.RTP, PacketKind.of(new byte[]{(byte) 0x80, (byte) (0x80 | 96)}, 2), "marker bit set");
        assertEquals(PacketKind.RTCP, PacketKind.of(new byte[]{(byte) 0x81, (byte) 200}, 2));
        assertEquals(PacketKind.UNKNOWN, PacketKind.of(new byte[]{100}, 1));
        assertEquals(PacketKind.UNKNOWN, PacketKind.of(new byte[0], 0));
    }
}
