package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The edge's own SRTCP against jitsi-srtp's: what it sends byte for byte (compound packets of every length around
 * the AES block, several sender SSRCs in one session), and what it takes decision for decision on what a network
 * delivers (late, out of order, repeated, held back past the replay window, tampered, cut short, sent in the clear).
 * Each side's packets are checked by the other's code, so neither checks only itself.
 */
class SrtcpTest {

    /** Compound RTCP of {@code length} bytes (a multiple of 4, at least 8) from {@code ssrc}: a header, then noise. */
    private static byte[] rtcp(int ssrc, int length, Random random) {
        ByteBuffer packet = ByteBuffer.allocate(length);
        packet.put((byte) 0x81).put((byte) 205).putShort((short) (length / 4 - 1)).putInt(ssrc);
        byte[] body = new byte[length - 8];
        random.nextBytes(body);
        packet.put(body);
        return packet.array();
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void protectsExactlyAsJitsiSrtpAndItsReceiverGetsThePlainPacketBack(SrtpProfile profile) throws Exception {
        SrtpKeys keys = SrtpSenderTest.symmetricKeys(profile, 31);
        SrtpTransformer ours = SrtpTransformer.forSending(keys);
        Random random = new Random(37);
        int[] ssrcs = {0x0A0B0C0D, 0xFEEDF00D, 1};
        int[] lengths = {8, 12, 16, 20, 24, 28, 32, 36, 52, 84, 400, 1_196};
        try (JitsiSrtp jitsi = JitsiSrtp.forSending(keys); JitsiSrtp receiver = JitsiSrtp.forReceiving(keys)) {
            for (int i = 0; i < 600; i++) {
                int ssrc = ssrcs[random.nextInt(ssrcs.length)];
                int length = lengths[random.nextInt(lengths.length)];
                byte[] plain = rtcp(ssrc, length, random);
                byte[] actual = ours.protectRtcp(plain.clone());
                assertArrayEquals(jitsi.protectRtcp(plain.clone()), actual,
                        "packet " + i + ", SSRC " + Integer.toHexString(ssrc) + ", " + length + " bytes");
                assertEquals(length + 4 + profile.tagLength(), actual.length, "E flag and index, and the tag");
                Optional<byte[]> back = receiver.unprotectRtcp(actual);
                assertTrue(back.isPresent(), "jitsi-srtp's receiver takes packet " + i);
                assertArrayEquals(plain, back.get());
            }
        }
        assertThrows(java.security.GeneralSecurityException.class, () -> ours.protectRtcp(new byte[7]));
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void takesAndRefusesWhatJitsiSrtpsReceiverDoesOnAReorderedRepeatedTamperedStream(SrtpProfile profile) throws Exception {
        SrtpKeys keys = SrtpSenderTest.symmetricKeys(profile, 41);
        Random random = new Random(43);
        int[] ssrcs = {0x11111111, 0x22222222};
        List<byte[]> plain = new ArrayList<>();
        List<byte[]> secured = new ArrayList<>();
        try (JitsiSrtp sender = JitsiSrtp.forSending(keys)) {
            for (int i = 0; i < 500; i++) {
                byte[] packet = rtcp(ssrcs[i % 7 == 0 ? 1 : 0], 8 + 4 * random.nextInt(40), random);
                plain.add(packet);
                secured.add(sender.protectRtcp(packet.clone()));
            }
        }
        SrtpReceiverTest.Verdicts verdicts;
        try (JitsiSrtp jitsi = JitsiSrtp.forReceiving(keys)) {
            verdicts = SrtpReceiverTest.compare(plain, secured, SrtpReceiverTest.deliveries(secured.size(), 80, random), random,
                    jitsi::unprotectRtcp, SrtpTransformer.forReceiving(keys)::unprotectRtcp);
        }
        assertTrue(verdicts.taken() >= 430 && verdicts.refused() >= 40, verdicts.toString());
    }

    @Test
    void aPacketSentInTheClearIsAuthenticatedButNotDecryptedAsJitsiSrtpDoes() throws Exception {
        SrtpKeys keys = SrtpSenderTest.symmetricKeys(SrtpProfile.AES_CM_128_HMAC_SHA1_80, 47);
        int ssrc = 0x33445566;
        SrtpKeystream keystream = new SrtpKeystream(SrtpProfile.AES_CM_128_HMAC_SHA1_80, new SrtpKeyDerivation(keys.clientKey(), keys.clientSalt(), SrtpCrypto.LABELS_RTCP), ssrc);
        byte[] plain = rtcp(ssrc, 44, new Random(53));
        // E flag 0, index 5: the payload left as is, the tag over it and the index word (RFC 3711 section 3.4).
        byte[] clear = java.util.Arrays.copyOf(plain, plain.length + 4 + SrtpKeystream.AUTH_TAG);
        clear[plain.length + 3] = 5;
        System.arraycopy(keystream.tag(clear, plain.length + 4), 0, clear, plain.length + 4, SrtpKeystream.AUTH_TAG);
        try (JitsiSrtp jitsi = JitsiSrtp.forReceiving(keys)) {
            assertArrayEquals(plain, jitsi.unprotectRtcp(clear.clone()).orElseThrow(), "jitsi-srtp takes it as it is");
        }
        SrtpTransformer ours = SrtpTransformer.forReceiving(keys);
        assertArrayEquals(plain, ours.unprotectRtcp(clear.clone()).orElseThrow());
        assertTrue(ours.unprotectRtcp(clear.clone()).isEmpty(), "and refuses it repeated");
        byte[] flagged = clear.clone();
        flagged[plain.length] |= (byte) 0x80; // claims encryption after the tag was made: authentication fails
        assertTrue(SrtpTransformer.forReceiving(keys).unprotectRtcp(flagged).isEmpty());
    }

    /**
     * AES-GCM SRTCP sent in the clear (E flag 0), built here from the JCE alone as libsrtp lays it out: the whole RTCP
     * packet and the index word are associated data, the tag seals nothing else, and the index word follows the tag
     * (jitsi-srtp refuses such packets, so it is no reference here). Ours takes it once, refuses it repeated, and
     * refuses it with the E flag set afterwards.
     */
    @Test
    void aGcmPacketSentInTheClearIsAuthenticatedButNotDecrypted() throws Exception {
        SrtpKeys keys = SrtpSenderTest.symmetricKeys(SrtpProfile.AEAD_AES_128_GCM, 59);
        int ssrc = 0x66554433;
        int index = 9;
        byte[] plain = rtcp(ssrc, 44, new Random(61));
        SrtpKeyDerivation derivation = new SrtpKeyDerivation(keys.clientKey(), keys.clientSalt(), SrtpCrypto.LABELS_RTCP);
        byte[] iv = ByteBuffer.allocate(12).putShort((short) 0).putInt(ssrc).putShort((short) 0).putInt(index).array();
        byte[] salt = derivation.salt(12);
        for (int i = 0; i < 12; i++) {
            iv[i] ^= salt[i];
        }
        byte[] word = ByteBuffer.allocate(4).putInt(index).array();
        javax.crypto.Cipher gcm = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(derivation.encryptionKey(16), "AES"),
                new javax.crypto.spec.GCMParameterSpec(128, iv));
        gcm.updateAAD(plain);
        gcm.updateAAD(word);
        byte[] tag = gcm.doFinal();
        byte[] clear = ByteBuffer.allocate(plain.length + 16 + 4).put(plain).put(tag).put(word).array();
        SrtpTransformer ours = SrtpTransformer.forReceiving(keys);
        assertArrayEquals(plain, ours.unprotectRtcp(clear.clone()).orElseThrow());
        assertTrue(ours.unprotectRtcp(clear.clone()).isEmpty(), "and refuses it repeated");
        byte[] flagged = clear.clone();
        flagged[plain.length + 16] |= (byte) 0x80; // claims encryption after the tag was made: authentication fails
        assertTrue(SrtpTransformer.forReceiving(keys).unprotectRtcp(flagged).isEmpty());
    }
}
