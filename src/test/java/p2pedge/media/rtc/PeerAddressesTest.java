package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The address decisions of one session, on a made-up clock (nanoseconds). */
class PeerAddressesTest {

    private static final long SECOND = 1_000_000_000L;
    private static final InetSocketAddress PLAYER = new InetSocketAddress("127.0.0.1", 5000);
    private static final InetSocketAddress VICTIM = new InetSocketAddress("127.0.0.2", 6000);

    @Test
    void onlyAnAddressWhereDtlsCompletedIsSelectedAndANominationAloneMovesNothing() {
        PeerAddresses addresses = new PeerAddresses();
        addresses.onCheck(PLAYER, false, 0);
        assertFalse(addresses.isNominated(PLAYER), "a check without USE-CANDIDATE validates, it does not nominate");
        addresses.onCheck(PLAYER, true, 1);
        assertTrue(addresses.isNominated(PLAYER));
        assertEquals(Optional.empty(), addresses.selected(), "nothing is selected before DTLS");
        addresses.select(PLAYER, 2);
        addresses.onCheck(VICTIM, true, 3);
        assertTrue(addresses.isNominated(VICTIM));
        assertEquals(Optional.of(PLAYER), addresses.selected(), "a nominating check from elsewhere does not move the media");
        addresses.select(VICTIM, 4);
        assertEquals(Optional.of(VICTIM), addresses.selected(), "a completed handshake does");
    }

    @Test
    void dtlsStartsFromTheOnlyCheckedAddressBeforeANominationAndFromTheNominatedOneAfter() {
        PeerAddresses addresses = new PeerAddresses();
        assertFalse(addresses.mayStartDtls(PLAYER), "an address never checked");
        addresses.onCheck(PLAYER, false, 0);
        assertTrue(addresses.mayStartDtls(PLAYER), "the only checked address: nothing to choose");
        addresses.onCheck(VICTIM, false, 1);
        assertFalse(addresses.mayStartDtls(PLAYER), "two checked addresses: the peer's nomination chooses");
        assertFalse(addresses.mayStartDtls(VICTIM));
        addresses.onCheck(VICTIM, true, 2);
        assertTrue(addresses.mayStartDtls(VICTIM));
        assertFalse(addresses.mayStartDtls(PLAYER));

        PeerAddresses nominatedFirst = new PeerAddresses();
        nominatedFirst.onCheck(VICTIM, true, 0);
        nominatedFirst.lose(VICTIM);
        nominatedFirst.onCheck(PLAYER, false, 1);
        assertTrue(nominatedFirst.mayStartDtls(PLAYER), "a nominated address lost to another session no longer chooses");
    }

    @Test
    void consentExpiresWithoutChecksFromTheSelectedAddressOnly() {
        PeerAddresses addresses = new PeerAddresses();
        assertFalse(addresses.consentExpired(100 * SECOND, 30 * SECOND), "a session never connected has no consent to lose");
        addresses.onCheck(PLAYER, true, 0);
        addresses.select(PLAYER, 0);
        addresses.onCheck(PLAYER, true, 20 * SECOND);
        assertFalse(addresses.consentExpired(49 * SECOND, 30 * SECOND));
        addresses.onCheck(VICTIM, true, 45 * SECOND);
        assertTrue(addresses.consentExpired(50 * SECOND, 30 * SECOND), "checks from another address do not refresh it");
        addresses.onCheck(PLAYER, true, 51 * SECOND);
        assertFalse(addresses.consentExpired(51 * SECOND, 30 * SECOND));
        addresses.lose(PLAYER);
        assertTrue(addresses.consentExpired(51 * SECOND, 30 * SECOND), "an address taken by another session ends consent");
        assertEquals(Optional.empty(), addresses.selected());
    }

    @Test
    void validatedAddressesAreBoundedAndTheSelectedAndNominatedOnesStay() {
        PeerAddresses addresses = new PeerAddresses();
        addresses.onCheck(PLAYER, true, 0);
        addresses.select(PLAYER, 0);
        List<InetSocketAddress> displaced = new ArrayList<>();
        for (int port = 1; port <= 40; port++) {
            InetSocketAddress displacedNow = addresses.onCheck(new InetSocketAddress("127.0.0.3", port), port == 40, port);
            if (displacedNow != null) {
                displaced.add(displacedNow);
            }
        }
        assertEquals(41 - PeerAddresses.MAX_ADDRESSES, displaced.size(), "beyond the bound, one displaced per new address");
        assertFalse(displaced.contains(PLAYER), "the selected address is never displaced");
        assertTrue(addresses.isNominated(new InetSocketAddress("127.0.0.3", 40)));
        assertEquals(Optional.of(PLAYER), addresses.selected());
        assertNull(addresses.onCheck(PLAYER, false, 50), "a known address displaces nothing");
    }
}
