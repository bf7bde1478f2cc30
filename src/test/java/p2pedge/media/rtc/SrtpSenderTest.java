package p2pedge.media.rtc;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The edge's own SRTP protection against jitsi-srtp's, byte for byte, on what the fan-out sends: headers with CSRCs
 * and header extensions, payloads of every length around the AES block, several SSRCs in one session, and sequence
 * numbers running over 65535 (the rollover counter goes up, and is authenticated). A receiver (jitsi-srtp) checks
 * and decrypts every packet back to the plain one.
 */
class SrtpSenderTest {

    static SrtpKeys symmetricKeys(SrtpProfile profile, long seed) {
        byte[] material = new byte[profile.exportLength()];
        new Random(seed).nextBytes(material);
        SrtpKeys keys = SrtpKeys.fromExporter(profile, material);
        return new SrtpKeys(keys.profile(), keys.clientKey(), keys.clientKey(), keys.clientSalt(), keys.clientSalt());
    }

    /** An RTP packet: {@code csrcs} CSRCs, a one-byte header extension of {@code extensionWords} words when above 0. */
    static byte[] rtp(int sequence, int ssrc, int csrcs, int extensionWords, int payload, Random random) {
        ByteBuffer packet = ByteBuffer.allocate(12 + 4 * csrcs + (extensionWords > 0 ? 4 + 4 * extensionWords : 0) + payload);
        packet.put((byte) (0x80 | (extensionWords > 0 ? 0x10 : 0) | csrcs)).put((byte) 96).putShort((short) sequence)
                .putInt(sequence * 3000).putInt(ssrc);
        for (int i = 0; i < csrcs; i++) {
            packet.putInt(random.nextInt());
        }
        if (extensionWords > 0) {
            packet.putShort((short) 0xBEDE).putShort((short) extensionWords);
            for (int i = 0; i < extensionWords; i++) {
                packet.putInt(random.nextInt());
            }
        }
        byte[] body = new byte[payload];
        random.nextBytes(body);
        packet.put(body);
        return packet.array();
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void protectsExactlyAsJitsiSrtpAndItsReceiverGetsThePlainPacketBack(SrtpProfile profile) throws Exception {
        SrtpKeys keys = symmetricKeys(profile, 5);
        SrtpTransformer ours = SrtpTransformer.forSending(keys);
        Random random = new Random(7);
        int[] ssrcs = {0x11223344, 0xCAFEBABE};
        int[] payloads = {0, 1, 15, 16, 17, 31, 33, 160, 1_100, 1_188};
        int compared = 0;
        try (JitsiSrtp jitsi = JitsiSrtp.forSending(keys); JitsiSrtp receiver = JitsiSrtp.forReceiving(keys)) {
            // From just below the wrap to well past it: the rollover counter becomes 1 at 65536.
            for (int sequence = 65_500; sequence < 65_536 + 200; sequence++) {
                for (int ssrc : ssrcs) {
                    int payload = payloads[random.nextInt(payloads.length)];
                    byte[] plain = rtp(sequence & 0xFFFF, ssrc, random.nextInt(3), random.nextInt(3), payload, random);
                    byte[] expected = jitsi.protectRtp(plain.clone());
                    byte[] actual = ours.protectRtp(plain.clone());
                    assertArrayEquals(expected, actual, "sequence " + sequence + ", SSRC " + Integer.toHexString(ssrc)
                            + ", payload " + payload);
                    Optional<byte[]> back = receiver.unprotectRtp(actual);
                    assertTrue(back.isPresent(), "the receiver takes sequence " + sequence);
                    assertArrayEquals(plain, back.get());
                    compared++;
                }
            }
        }
        assertEquals(2 * 236, compared);
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void aLateOrRepeatedPacketIsProtectedInItsOwnRolloverPeriod(SrtpProfile profile) throws Exception {
        SrtpKeys keys = symmetricKeys(profile, 9);
        SrtpTransformer ours = SrtpTransformer.forSending(keys);
        Random random = new Random(11);
        // 65534, 65535, 0 (ROC 1), then 65535 again late (ROC 0), then 1.
        try (JitsiSrtp jitsi = JitsiSrtp.forSending(keys)) {
            for (int sequence : new int[]{65_534, 65_535, 0, 65_533, 1, 2}) {
                byte[] plain = rtp(sequence, 0x01020304, 0, 1, 100, random);
                assertArrayEquals(jitsi.protectRtp(plain.clone()), ours.protectRtp(plain.clone()), "sequence " + sequence);
            }
        }
    }

    /**
     * A retransmission protects a packet again under its own index, right after it in the worst case: the same bytes
     * come out (for GCM, the JCE refuses an IV twice running unless the sender steps around it), and a receiver takes
     * the first and refuses the second as a replay.
     */
    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void aPacketProtectedAgainRightAwayComesOutTheSame(SrtpProfile profile) throws Exception {
        SrtpKeys keys = symmetricKeys(profile, 17);
        SrtpTransformer ours = SrtpTransformer.forSending(keys);
        SrtpTransformer receiver = SrtpTransformer.forReceiving(keys);
        Random random = new Random(19);
        byte[] first = rtp(40, 0x05060708, 0, 1, 300, random);
        byte[] second = rtp(41, 0x05060708, 0, 1, 300, random);
        byte[] once = ours.protectRtp(first.clone());
        assertArrayEquals(once, ours.protectRtp(first.clone()), "again at once");
        byte[] next = ours.protectRtp(second.clone());
        assertArrayEquals(once, ours.protectRtp(first.clone()), "again after another");
        assertArrayEquals(first, receiver.unprotectRtp(once).orElseThrow());
        assertTrue(receiver.unprotectRtp(once.clone()).isEmpty(), "a replay");
        assertArrayEquals(second, receiver.unprotectRtp(next).orElseThrow());
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void aHeaderThatRunsPastThePacketIsRefused(SrtpProfile profile) throws Exception {
        SrtpTransformer ours = SrtpTransformer.forSending(symmetricKeys(profile, 13));
        byte[] extension = rtp(1, 5, 0, 2, 0, new Random(1));
        byte[] cut = java.util.Arrays.copyOf(extension, 14);
        assertThrows(java.security.GeneralSecurityException.class, () -> ours.protectRtp(cut));
        byte[] csrcs = rtp(1, 5, 3, 0, 0, new Random(1));
        assertThrows(java.security.GeneralSecurityException.class, () -> ours.protectRtp(java.util.Arrays.copyOf(csrcs, 16)));
        assertThrows(java.security.GeneralSecurityException.class, () -> ours.protectRtp(new byte[8]));
    }
}
