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
 * The edge's own SRTP receiver against RFC 3711's rules with libwebrtc's window of 1,024 packets, and jitsi-srtp's
 * receiver against the same rules with its window of 64, decision for decision, on what a network delivers: packets
 * protected by jitsi-srtp's sender (so neither side checks itself) arriving late, out of order, repeated, far too
 * late, and with a flipped bit, across the sequence number's wrap. Every packet taken must come back as the plain
 * packet. The rules are a few lines here (taken once, authentic, within the window behind the highest taken), so the
 * wider window is held to the same reading of RFC 3711 that jitsi-srtp's agreement proves on the narrower one.
 */
class SrtpReceiverTest {

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void takesAndRefusesAsRfc3711RulesWithItsWindowAndJitsiSrtpWithItsOwn(SrtpProfile profile) throws Exception {
        SrtpKeys keys = SrtpSenderTest.symmetricKeys(profile, 21);
        Random random = new Random(23);
        List<byte[]> plain = new ArrayList<>();
        List<byte[]> secured = new ArrayList<>();
        try (JitsiSrtp sender = JitsiSrtp.forSending(keys)) {
            for (int i = 0; i < 3_000; i++) {
                // From below the wrap to past it: the rollover counter is 1 from the 37th packet on.
                byte[] packet = SrtpSenderTest.rtp((65_500 + i) & 0xFFFF, 0x0A0B0C0D, random.nextInt(2), random.nextInt(3),
                        random.nextInt(1_200), random);
                plain.add(packet);
                secured.add(sender.protectRtp(packet.clone()));
            }
        }
        List<Integer> deliveries = deliveries(secured.size(), 1_200, random);
        Rfc3711 jitsiRules = new Rfc3711(64);
        Rfc3711 ourRules = new Rfc3711(SrtpReceiver.REPLAY_WINDOW);
        SrtpTransformer ours = SrtpTransformer.forReceiving(keys);
        int taken = 0;
        int takenBeyondJitsi = 0;
        int refusedAsTooLate = 0;
        try (JitsiSrtp jitsi = JitsiSrtp.forReceiving(keys)) {
            for (int n = 0; n < deliveries.size(); n++) {
                int index = deliveries.get(n);
                byte[] datagram = network(secured.get(index), n, random);
                boolean intact = datagram.length == secured.get(index).length
                        && java.util.Arrays.equals(datagram, secured.get(index));
                boolean tooLate = ourRules.tooFarBehind(index);
                String at = "delivery " + n + " (packet " + index + ")";
                assertEquals(jitsiRules.takes(index, intact), jitsi.unprotectRtp(datagram.clone()).isPresent(), "jitsi-srtp, " + at);
                Optional<byte[]> actual = ours.unprotectRtp(datagram.clone());
                boolean expected = ourRules.takes(index, intact);
                assertEquals(expected, actual.isPresent(), at);
                if (actual.isPresent()) {
                    assertArrayEquals(plain.get(index), actual.get(), at);
                    taken++;
                    takenBeyondJitsi += jitsiRules.tooFarBehind(index) ? 1 : 0;
                } else if (intact && tooLate) {
                    refusedAsTooLate++;
                }
            }
        }
        String seen = taken + " taken, " + takenBeyondJitsi + " of them beyond 64 behind, " + refusedAsTooLate
                + " intact ones refused beyond the window, of " + deliveries.size();
        assertTrue(taken >= 2_500 && takenBeyondJitsi >= 20 && refusedAsTooLate >= 3, seen);
    }

    /** RFC 3711's replay rules with a window of {@code size}, on packet numbers (one SSRC, consecutive indices). */
    private static final class Rfc3711 {
        private final int size;
        private final java.util.Set<Integer> taken = new java.util.HashSet<>();
        private int highest = -1;

        Rfc3711(int size) {
            this.size = size;
        }

        boolean tooFarBehind(int packet) {
            return highest - packet >= size;
        }

        /** Whether a receiver takes {@code packet} now (and, if so, that it has). */
        boolean takes(int packet, boolean intact) {
            if (!intact || tooFarBehind(packet) || taken.contains(packet)) {
                return false;
            }
            taken.add(packet);
            highest = Math.max(highest, packet);
            return true;
        }
    }

    /**
     * The order a network delivers packets {@code 0 .. count - 1} in: mostly in order, some swapped nearby, some held
     * back by 55 packets up to {@code heldBack} (some still within a replay window when they arrive, some not), some
     * repeated (within it or not).
     */
    static List<Integer> deliveries(int count, int heldBack, Random random) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            order.add(i);
        }
        for (int i = 0; i + 5 < order.size(); i += 7) {
            java.util.Collections.swap(order, i, i + 1 + random.nextInt(5));
        }
        for (int i = 10; i + heldBack < order.size(); i += 50) {
            order.add(i + 55 + random.nextInt(heldBack - 55), order.remove(i));
        }
        List<Integer> deliveries = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            deliveries.add(order.get(i));
            if (random.nextInt(10) == 0) {
                deliveries.add(order.get(Math.max(0, i - random.nextInt(2 * heldBack))));
            }
        }
        return deliveries;
    }

    /** The {@code n}th datagram delivered as the network hands it over: every 37th with a bit flipped, every 53rd cut short. */
    static byte[] network(byte[] sent, int n, Random random) {
        byte[] datagram = sent.clone();
        if (n % 37 == 0) {
            datagram[random.nextInt(datagram.length)] ^= (byte) (1 << random.nextInt(8));
        } else if (n % 53 == 0) {
            datagram = java.util.Arrays.copyOf(datagram, random.nextInt(datagram.length));
        }
        return datagram;
    }

    record Verdicts(int taken, int refused) {
    }

    /**
     * Delivers {@code secured} in the order {@code deliveries} gives, through {@link #network}, to the reference receiver
     * and to ours (with the same window): each must take what the other takes (and give back the plain
     * packet) and refuse what it refuses.
     */
    static Verdicts compare(List<byte[]> plain, List<byte[]> secured, List<Integer> deliveries, Random random,
                            Function<byte[], Optional<byte[]>> reference, Function<byte[], Optional<byte[]>> ours) {
        int taken = 0;
        int refused = 0;
        for (int n = 0; n < deliveries.size(); n++) {
            int index = deliveries.get(n);
            byte[] datagram = network(secured.get(index), n, random);
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
