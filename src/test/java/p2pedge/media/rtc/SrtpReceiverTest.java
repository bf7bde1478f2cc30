package p2pedge.media.rtc;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The edge's own SRTP receiver against jitsi-srtp's, decision for decision, on what a network delivers: packets
 * protected by jitsi-srtp's sender (so neither side checks itself) arriving late, out of order, repeated, far too
 * late, and with a flipped bit, across the sequence number's wrap. Every packet both take must come back as the
 * plain packet; every packet one refuses the other must refuse too.
 */
class SrtpReceiverTest {

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void takesAndRefusesWhatJitsiSrtpsReceiverDoesOnAReorderedRepeatedTamperedStream(SrtpProfile profile) throws Exception {
        SrtpKeys keys = SrtpSenderTest.symmetricKeys(profile, 21);
        Random random = new Random(23);
        List<byte[]> plain = new ArrayList<>();
        List<byte[]> secured = new ArrayList<>();
        try (JitsiSrtp sender = JitsiSrtp.forSending(keys)) {
            for (int i = 0; i < 400; i++) {
                // From below the wrap to past it: the rollover counter is 1 from the 37th packet on.
                byte[] packet = SrtpSenderTest.rtp((65_500 + i) & 0xFFFF, 0x0A0B0C0D, random.nextInt(2), random.nextInt(3),
                        random.nextInt(1_200), random);
                plain.add(packet);
                secured.add(sender.protectRtp(packet.clone()));
            }
        }
        Verdicts verdicts;
        try (JitsiSrtp jitsi = JitsiSrtp.forReceiving(keys)) {
            verdicts = compare(plain, secured, deliveries(secured.size(), random), random, jitsi::unprotectRtp,
                    SrtpTransformer.forReceiving(keys)::unprotectRtp);
        }
        assertTrue(verdicts.taken() >= 350 && verdicts.refused() >= 30, verdicts.toString());
    }

    /**
     * The order a network delivers packets {@code 0 .. count - 1} in: mostly in order, some swapped nearby, some held
     * back (some still within a 64-packet replay window when they arrive, some not), some repeated (within it or not).
     */
    static List<Integer> deliveries(int count, Random random) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            order.add(i);
        }
        for (int i = 0; i + 5 < order.size(); i += 7) {
            java.util.Collections.swap(order, i, i + 1 + random.nextInt(5));
        }
        for (int i = 10; i + 90 < order.size(); i += 50) {
            order.add(i + 55 + random.nextInt(25), order.remove(i));
        }
        List<Integer> deliveries = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            deliveries.add(order.get(i));
            if (random.nextInt(10) == 0) {
                deliveries.add(order.get(Math.max(0, i - random.nextInt(100))));
            }
        }
        return deliveries;
    }

    record Verdicts(int taken, int refused) {
    }

    /**
     * Delivers {@code secured} in the order {@code deliveries} gives, every 37th with a bit flipped and every 53rd cut
     * short, to the reference receiver and to ours: each must take what the other takes (and give back the plain
     * packet) and refuse what it refuses.
     */
    static Verdicts compare(List<byte[]> plain, List<byte[]> secured, List<Integer> deliveries, Random random,
                            Function<byte[], Optional<byte[]>> reference, Function<byte[], Optional<byte[]>> ours) {
        int taken = 0;
        int refused = 0;
        for (int n = 0; n < deliveries.size(); n++) {
            int index = deliveries.get(n);
            byte[] datagram = secured.get(index).clone();
            if (n % 37 == 0) {
                datagram[random.nextInt(datagram.length)] ^= (byte) (1 << random.nextInt(8));
            } else if (n % 53 == 0) {
                datagram = java.util.Arrays.copyOf(datagram, random.nextInt(datagram.length));
            }
            Optional<byte[]> expected = reference.apply(datagram.clone());
            Optional<byte[]> actual = ours.apply(datagram.clone());
            assertEquals(expected.isPresent(), actual.isPresent(), "delivery " + n + " (packet " + index + ")");
            if (actual.isPresent()) {
                assertArrayEquals(plain.get(index), actual.get(), "delivery " + n);
                taken++;
            } else {
                refused++;
            }
        }
        return new Verdicts(taken, refused);
    }
}
