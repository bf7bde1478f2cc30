package p2pedge.p2p;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A player's NAT mapping from its probe, checked against what the edge's two STUN ports answered; and which pairs
 * of players a relay is tried between.
 */
class ReachabilityTest {

    private static final String HOME = "203.0.113.104";
    private static final int MEDIA = 41000;
    private static final int SECOND = 41001;

    private static Reachability.Observed seen(int server, String address, int port) {
        return new Reachability.Observed(server, address, port);
    }

    @Test
    void oneSocketSeenAtTheSamePortFromBothServerPortsIsEndpointIndependent() {
        assertEquals(NatMapping.ENDPOINT_INDEPENDENT, Reachability.mapping(HOME, List.of(HOME + ":36522"),
                List.of(seen(MEDIA, HOME, 36522), seen(SECOND, HOME, 36522))));
    }

    @Test
    void aNewPortPerServerPortIsEndpointDependent() {
        assertEquals(NatMapping.ENDPOINT_DEPENDENT, Reachability.mapping(HOME, List.of(HOME + ":3437", HOME + ":28611"),
                List.of(seen(MEDIA, HOME, 3437), seen(SECOND, HOME, 28611))));
    }

    @Test
    void onlyWhatTheEdgeSawForThePlayersOwnAddressCounts() {
        // Nothing reported, or nothing the edge answered: not measured.
        assertEquals(NatMapping.UNKNOWN, Reachability.mapping(HOME, List.of(), List.of(seen(MEDIA, HOME, 1), seen(SECOND, HOME, 1))));
        assertEquals(NatMapping.UNKNOWN, Reachability.mapping(HOME, List.of(HOME + ":36522"), List.of()));
        // One server port only (the other's answer lost): not measured.
        assertEquals(NatMapping.UNKNOWN, Reachability.mapping(HOME, List.of(HOME + ":36522"), List.of(seen(MEDIA, HOME, 36522))));
        // A report of ports the edge never answered (another device's, made up): they do not count.
        assertEquals(NatMapping.UNKNOWN, Reachability.mapping(HOME, List.of(HOME + ":1111", HOME + ":2222"),
                List.of(seen(MEDIA, HOME, 36522), seen(SECOND, HOME, 36522))));
        // Another device behind the same address probing at the same time: only the reported ports count.
        assertEquals(NatMapping.ENDPOINT_INDEPENDENT, Reachability.mapping(HOME, List.of(HOME + ":36522"),
                List.of(seen(MEDIA, HOME, 36522), seen(SECOND, HOME, 36522), seen(MEDIA, HOME, 5000), seen(SECOND, HOME, 6000))));
        // Answers to another address do not count for this one; garbage is ignored.
        assertEquals(NatMapping.UNKNOWN, Reachability.mapping(HOME, List.of("198.51.100.7:36522", "x", ":1", HOME + ":99999"),
                List.of(seen(MEDIA, "198.51.100.7", 36522), seen(SECOND, "198.51.100.7", 36522))));
        assertEquals(NatMapping.UNKNOWN, Reachability.mapping(null, List.of(HOME + ":36522"),
                List.of(seen(MEDIA, HOME, 36522), seen(SECOND, HOME, 36522))));
    }

    /** The edge's prior for a relay from {@code host} to {@code client}. */
    private static boolean connects(Reachability host, Reachability client, boolean loopbackIsOneNetwork) {
        return PairKind.of(host, client, loopbackIsOneNetwork).predictedToConnect();
    }

    @Test
    void relaysAreTriedBetweenOneNetworkOrTwoEndpointIndependentMappingsOnly() {
        Reachability cone1 = new Reachability("203.0.113.104", NatMapping.ENDPOINT_INDEPENDENT);
        Reachability cone2 = new Reachability("203.0.113.108", NatMapping.ENDPOINT_INDEPENDENT);
        Reachability symmetric = new Reachability("203.0.113.112", NatMapping.ENDPOINT_DEPENDENT);
        Reachability symmetric2 = new Reachability("203.0.113.116", NatMapping.ENDPOINT_DEPENDENT);
        Reachability ovenPlayer = Reachability.unmeasured("203.0.113.120");
        Reachability ovenPlayerAtHome1 = Reachability.unmeasured("203.0.113.104");
        assertTrue(connects(cone1, cone2, false));
        assertTrue(connects(cone2, cone1, false));
        assertFalse(connects(cone1, symmetric, false));
        assertFalse(connects(symmetric, cone1, false));
        assertFalse(connects(symmetric, symmetric2, false));
        assertFalse(connects(cone1, ovenPlayer, false), "no STUN: names that resolve only at home");
        assertFalse(connects(ovenPlayer, cone1, false));
        assertTrue(connects(cone1, ovenPlayerAtHome1, false), "one network: whatever the mappings");
        assertTrue(connects(ovenPlayerAtHome1, cone1, false));
        assertTrue(connects(symmetric, new Reachability("203.0.113.112", NatMapping.UNKNOWN), false));
        Reachability loopback1 = Reachability.unmeasured("127.0.0.1");
        Reachability loopback2 = Reachability.unmeasured("127.0.0.2");
        assertFalse(connects(loopback1, loopback2, false));
        assertTrue(connects(loopback1, loopback2, true), "players on one machine (tests)");
        assertFalse(connects(Reachability.unmeasured(null), Reachability.unmeasured(null), false));
    }
}
