package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The edge's STUN for players, on a made-up clock: silence for addresses without a signalling socket, the
 * mapped address for those with one (at most the rate, a burst of twice that), nothing but plain Binding
 * requests, and what was answered kept per address until its last socket closes.
 */
class PlayerStunTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final PlayerStun stun = new PlayerStun(10, now::get);
    private final InetSocketAddress player = new InetSocketAddress("203.0.113.104", 36522);

    private static byte[] binding() {
        return StunMessage.builder(StunMessage.BINDING_REQUEST, new byte[12]).build(null, true);
    }

    private Optional<byte[]> ask(InetSocketAddress from, int serverPort) {
        byte[] request = binding();
        return stun.answer(request, request.length, from, serverPort);
    }

    @Test
    void onlyAddressesHoldingASignallingSocketAreAnsweredWithTheirMappedAddress() throws Exception {
        assertTrue(ask(player, 41000).isEmpty(), "a stranger (or a spoofed victim) gets silence");
        stun.admit(player.getAddress());
        byte[] answer = ask(player, 41000).orElseThrow();
        StunMessage parsed = StunMessage.parse(answer, answer.length);
        assertEquals(StunMessage.BINDING_SUCCESS, parsed.type());
        assertEquals(Optional.of(player), parsed.xorMappedAddress());
        assertTrue(parsed.hasValidFingerprint());
        assertTrue(answer.length <= binding().length + 40, "no amplification worth the name: " + answer.length + " bytes");

        stun.admit(player.getAddress()); // a second tab at home
        stun.release(player.getAddress());
        assertTrue(ask(player, 41000).isPresent(), "one socket still open");
        stun.release(player.getAddress());
        assertTrue(ask(player, 41000).isEmpty(), "its last socket closed");
        assertEquals(0, stun.admittedAddresses());
        stun.release(player.getAddress()); // an extra release is harmless
        assertEquals(0, stun.admittedAddresses());
    }

    @Test
    void answersPerAddressAreRateLimited() {
        stun.admit(player.getAddress());
        int answered = 0;
        for (int i = 0; i < 100; i++) {
            answered += ask(player, 41000).isPresent() ? 1 : 0;
        }
        assertEquals(20, answered, "a burst of twice the rate");
        now.addAndGet(500_000_000L);
        answered = 0;
        for (int i = 0; i < 100; i++) {
            answered += ask(player, 41000).isPresent() ? 1 : 0;
        }
        assertEquals(5, answered, "half a second refills half the rate");
        assertTrue(stun.refused().get(PlayerStun.Refusal.RATE) >= 175);
    }

    @Test
    void iceChecksAndOtherMessagesAreNotItsBusiness() {
        stun.admit(player.getAddress());
        byte[] check = StunMessage.builder(StunMessage.BINDING_REQUEST, new byte[12])
                .string(StunMessage.USERNAME, "edge:player").build("password".getBytes(), true);
        assertFalse(PlayerStun.isPlainBinding(check, check.length));
        assertTrue(stun.answer(check, check.length, player, 41000).isEmpty());
        byte[] response = StunMessage.builder(StunMessage.BINDING_SUCCESS, new byte[12]).build(null, true);
        assertTrue(stun.answer(response, response.length, player, 41000).isEmpty());
        byte[] junk = {0, 1, 2, 3};
        assertTrue(stun.answer(junk, junk.length, player, 41000).isEmpty());
    }

    @Test
    void whatWasAnsweredIsKeptPerAddressForTheMappingMeasurement() throws Exception {
        InetAddress home = player.getAddress();
        stun.admit(home);
        long start = now.get();
        ask(player, 41000);
        ask(new InetSocketAddress(home, 5000), 41001);
        now.addAndGet(1_000_000_000L);
        assertEquals(List.of(new PlayerStun.Answered(41000, 36522, start), new PlayerStun.Answered(41001, 5000, start)),
                stun.answered(home, start));
        assertEquals(List.of(), stun.answered(home, now.get()), "only since the time asked for");
        for (int i = 0; i < 30; i++) {
            now.addAndGet(1_000_000_000L);
            ask(player, 41000);
        }
        assertEquals(PlayerStun.KEPT, stun.answered(home, 0).size(), "bounded");
        stun.release(home);
        assertEquals(List.of(), stun.answered(home, 0), "forgotten with the address");
    }
}
