package p2pedge.media.rtc;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SrtpTransformerTest {

    /** Keys where both directions are the same, so one side can check what the other protected. */
    private static SrtpKeys symmetricKeys(SrtpProfile profile) {
        return SrtpSenderTest.symmetricKeys(profile, 3);
    }

    /** What {@code receiver} told of {@code packet}'s refusal (nothing when it took it), checked against its result. */
    private static List<SrtpRefusal> refusals(SrtpTransformer receiver, byte[] packet) {
        return told(receiver::unprotectRtp, packet);
    }

    /** The same for an SRTCP packet. */
    private static List<SrtpRefusal> controlRefusals(SrtpTransformer receiver, byte[] packet) {
        return told(receiver::unprotectRtcp, packet);
    }

    private static List<SrtpRefusal> told(BiFunction<byte[], Consumer<SrtpRefusal>, Optional<byte[]>> unprotect, byte[] packet) {
        List<SrtpRefusal> told = new ArrayList<>();
        boolean taken = unprotect.apply(packet, told::add).isPresent();
        assertEquals(taken, told.isEmpty(), "a packet is either taken or refused with a reason");
        return told;
    }

    /** A PLI from {@code ssrc}: 12 bytes of compound RTCP. */
    private static byte[] pli(int ssrc) {
        return ByteBuffer.allocate(12).put((byte) 0x81).put((byte) 206).putShort((short) 2).putInt(ssrc).putInt(7).array();
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void refusedRtcpIsToldWhy(SrtpProfile profile) throws Exception {
        SrtpKeys keys = symmetricKeys(profile);
        SrtpTransformer sender = SrtpTransformer.forSending(keys);
        SrtpTransformer receiver = SrtpTransformer.forReceiving(keys);
        byte[] secured = sender.protectRtcp(pli(5));
        assertEquals(List.of(), controlRefusals(receiver, secured));
        assertEquals(List.of(SrtpRefusal.REPLAYED), controlRefusals(receiver, secured), "the same index again");
        byte[] tampered = sender.protectRtcp(pli(5));
        tampered[9] ^= 1;
        assertEquals(List.of(SrtpRefusal.UNAUTHENTIC), controlRefusals(receiver, tampered), "a flipped bit at a new index");
        assertEquals(List.of(SrtpRefusal.MALFORMED), controlRefusals(receiver, Arrays.copyOf(tampered, 10)), "cut short");
    }

    private static byte[] rtp(int sequence) {
        ByteBuffer packet = ByteBuffer.allocate(12 + 100);
        packet.put((byte) 0x80).put((byte) 96).putShort((short) sequence).putInt(sequence * 3000).putInt(0x11223344);
        for (int i = 0; i < 100; i++) {
            packet.put((byte) i);
        }
        return packet.array();
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void protectedPacketsRoundTripAndTamperingOrReplayIsRefused(SrtpProfile profile) throws Exception {
        SrtpKeys keys = symmetricKeys(profile);
        SrtpTransformer sender = SrtpTransformer.forSending(keys);
        SrtpTransformer receiver = SrtpTransformer.forReceiving(keys);
        for (int seq = 1; seq <= 50; seq++) {
            byte[] plain = rtp(seq);
            byte[] secured = sender.protectRtp(plain);
            assertEquals(plain.length + profile.tagLength(), secured.length, "the tag appended");
            assertNotEquals(ByteBuffer.wrap(plain, 12, 100), ByteBuffer.wrap(secured, 12, 100), "the payload is encrypted");
            if (seq == 25) {
                byte[] tampered = secured.clone();
                tampered[40] ^= 1;
                assertEquals(List.of(SrtpRefusal.UNAUTHENTIC), refusals(receiver, tampered), "a flipped bit fails authentication");
            }
            assertArrayEquals(plain, receiver.unprotectRtp(secured).orElseThrow());
            if (seq == 30) {
                assertEquals(List.of(SrtpRefusal.REPLAYED), refusals(receiver, secured), "a replayed packet is refused");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void aPacketFallenBehindTheReplayWindowIsToldApartFromAnUnauthenticOne(SrtpProfile profile) throws Exception {
        SrtpKeys keys = symmetricKeys(profile);
        SrtpTransformer sender = SrtpTransformer.forSending(keys);
        SrtpTransformer receiver = SrtpTransformer.forReceiving(keys);
        byte[] held = sender.protectRtp(rtp(1));
        byte[] kept = sender.protectRtp(rtp(2));
        for (int seq = 3; seq <= 1 + SrtpReceiver.REPLAY_WINDOW; seq++) {
            receiver.unprotectRtp(sender.protectRtp(rtp(seq))).orElseThrow();
        }
        assertArrayEquals(rtp(2), receiver.unprotectRtp(kept).orElseThrow(), "1,023 behind the newest: still taken");
        assertEquals(List.of(SrtpRefusal.REPLAYED), refusals(receiver, held), "1,024 behind: refused by the window");
        byte[] forged = sender.protectRtp(rtp(3_000));
        forged[forged.length - 1] ^= 1;
        assertEquals(List.of(SrtpRefusal.UNAUTHENTIC), refusals(receiver, forged), "a new index with a bad tag");
        assertEquals(List.of(SrtpRefusal.MALFORMED), refusals(receiver, Arrays.copyOf(forged, 12)), "cut short");
        assertEquals(List.of(), refusals(receiver, sender.protectRtp(rtp(3_001))), "a good packet: no refusal told");
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void garbageIsRefusedNotThrown(SrtpProfile profile) {
        SrtpTransformer receiver = SrtpTransformer.forReceiving(symmetricKeys(profile));
        Random random = new Random(9);
        for (int i = 0; i < 2_000; i++) {
            byte[] junk = new byte[random.nextInt(300)];
            random.nextBytes(junk);
            if (junk.length > 0) {
                junk[0] = (byte) 0x80;
            }
            assertEquals(1, refusals(receiver, junk).size());
            assertEquals(1, controlRefusals(receiver, junk).size());
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void aPeerInventingSsrcsGetsNoMoreThanSixteenOfThem(SrtpProfile profile) throws Exception {
        SrtpKeys keys = symmetricKeys(profile);
        SrtpTransformer receiver = SrtpTransformer.forReceiving(keys);
        SrtpTransformer ours = SrtpTransformer.forSending(keys);
        try (JitsiSrtp peer = JitsiSrtp.forSending(keys)) {
            for (int ssrc = 1; ssrc <= 17; ssrc++) {
                byte[] plain = rtp(ssrc);
                ByteBuffer.wrap(plain).putInt(8, ssrc);
                byte[] rtcp = pli(ssrc);
                boolean room = ssrc <= SsrcTable.MAX;
                assertEquals(room ? List.of() : List.of(SrtpRefusal.SSRC_LIMIT), refusals(receiver, peer.protectRtp(plain)),
                        "RTP on SSRC " + ssrc);
                assertEquals(room ? List.of() : List.of(SrtpRefusal.SSRC_LIMIT), controlRefusals(receiver, peer.protectRtcp(rtcp)),
                        "RTCP from SSRC " + ssrc);
                if (room) {
                    ours.protectRtp(plain);
                } else {
                    assertThrows(java.security.GeneralSecurityException.class, () -> ours.protectRtp(plain), "nor sends on a 17th");
                }
            }
            byte[] first = rtp(2);
            ByteBuffer.wrap(first).putInt(8, 1);
            assertTrue(receiver.unprotectRtp(peer.protectRtp(first)).isPresent(), "the SSRCs it has keep working");
        }
    }
}
