package p2pedge.signalling;

import org.junit.jupiter.api.Test;
import p2pedge.signalling.PeerCandidateFilter.Reason;
import p2pedge.webrtc.IceCandidate;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class PeerCandidateFilterTest {

    private final PeerCandidateFilter production = new PeerCandidateFilter(false);
    private final PeerCandidateFilter loopbackAllowed = new PeerCandidateFilter(true);

    private static String udp(String address, int port) {
        return "candidate:1 1 udp 2122260223 " + address + " " + port + " typ host generation 0";
    }

    private static String tcp(String address, int port, String tcptype) {
        return "candidate:2 1 tcp 1518280447 " + address + " " + port + " typ host tcptype " + tcptype;
    }

    @Test
    void addressesOnThePeersOwnMachineOrLinkAreDropped() {
        assertEquals(Reason.LOOPBACK, production.check(udp("127.0.0.1", 50000)));
        assertEquals(Reason.LOOPBACK, production.check(udp("127.5.6.7", 50000)));
        assertEquals(Reason.LOOPBACK, production.check(udp("::1", 50000)));
        assertEquals(Reason.LOOPBACK, production.check(udp("::ffff:127.0.0.1", 50000)), "IPv4-mapped");
        assertEquals(Reason.LOOPBACK, production.check(udp("::127.0.0.1", 50000)), "IPv4-compatible");
        assertEquals(Reason.LOOPBACK, production.check(udp("64:ff9b::7f00:1", 50000)), "NAT64");
        assertEquals(Reason.LINK_LOCAL, production.check(udp("169.254.10.20", 50000)));
        assertEquals(Reason.LINK_LOCAL, production.check(udp("fe80::1c2d:3eff:fe4f:5a6b", 50000)));
        assertEquals(Reason.LINK_LOCAL, production.check(udp("fe80::1%eth0", 50000)), "with a zone");
        assertEquals(Reason.METADATA, production.check(tcp("169.254.169.254", 80, "passive")));
        assertEquals(Reason.METADATA, production.check(udp("169.254.169.254", 50000)));
        assertEquals(Reason.METADATA, production.check(udp("fd00:ec2::254", 50000)));
        assertEquals(Reason.METADATA, production.check(udp("[fd00:ec2::254]", 50000)));
        assertEquals(Reason.METADATA, production.check(udp("100.100.100.200", 50000)));
        assertEquals(Reason.UNSPECIFIED, production.check(udp("0.0.0.0", 50000)));
        assertEquals(Reason.UNSPECIFIED, production.check(udp("0.1.2.3", 50000)));
        assertEquals(Reason.UNSPECIFIED, production.check(udp("::", 50000)));
        assertEquals(Reason.UNSPECIFIED, production.check(udp("192.168.1.2", 0)), "port 0");
        assertEquals(Reason.MULTICAST_BROADCAST, production.check(udp("224.0.0.251", 5353)));
        assertEquals(Reason.MULTICAST_BROADCAST, production.check(udp("239.255.255.250", 1900)));
        assertEquals(Reason.MULTICAST_BROADCAST, production.check(udp("255.255.255.255", 50000)));
        assertEquals(Reason.MULTICAST_BROADCAST, production.check(udp("ff02::1", 50000)));
    }

    @Test
    void loopbackPassesOnlyWhenAllowedAndNothingElseDoes() {
        assertNull(loopbackAllowed.check(udp("127.0.0.1", 50000)));
        assertNull(loopbackAllowed.check(udp("::1", 50000)));
        assertEquals(Reason.SERVICE_PORT, loopbackAllowed.check(tcp("127.0.0.1", 6379, "passive")));
        assertEquals(Reason.METADATA, loopbackAllowed.check(udp("169.254.169.254", 50000)));
        assertEquals(Reason.LINK_LOCAL, loopbackAllowed.check(udp("169.254.1.1", 50000)));
    }

    @Test
    void tcpCandidatesTheReceiverWouldConnectToMustNotNameAServicePort() {
        for (int port : List.of(22, 80, 443, 1023, 2375, 3306, 5432, 6379, 9200, 11211, 27017)) {
            assertEquals(Reason.SERVICE_PORT, production.check(tcp("192.168.1.10", port, "passive")), "port " + port);
            assertEquals(Reason.SERVICE_PORT, production.check(tcp("192.168.1.10", port, "so")), "port " + port);
        }
        assertEquals(Reason.SERVICE_PORT, production.check("candidate:2 1 TCP 1518280447 10.0.0.8 3306 typ host"),
                "no tcptype: treated as one to connect to");
        assertNull(production.check(tcp("192.168.1.10", 9, "active")), "an active candidate's port is a placeholder");
        assertNull(production.check(tcp("192.168.1.10", 6379, "active")), "nobody connects to an active candidate");
        assertNull(production.check(tcp("192.168.1.10", 50123, "passive")), "an ephemeral port");
        assertNull(production.check(udp("192.168.1.10", 3306)), "UDP: STUN checks open no connection");
    }

    @Test
    void homeNetworksPublicAddressesMdnsNamesAndServerReflexiveCandidatesStay() {
        assertNull(production.check(udp("192.168.1.20", 50000)));
        assertNull(production.check(udp("10.0.0.5", 50000)));
        assertNull(production.check(udp("172.16.3.4", 50000)));
        assertNull(production.check(udp("100.64.1.2", 50000)), "carrier-grade NAT");
        assertNull(production.check(udp("fd12:3456:789a::1", 50000)), "IPv6 unique local");
        assertNull(production.check(udp("2001:db8::5", 50000)));
        assertNull(production.check(udp("3c9a4d1e-7b2f-4a51-9c1d-2f6e8b0a4c55.local", 50000)));
        assertNull(production.check("candidate:3 1 udp 1686052607 203.0.113.7 50003 typ srflx raddr 10.0.0.5 rport 50002"));
        assertNull(production.check("candidate:4 1 udp 41885439 198.51.100.9 3478 typ relay raddr 203.0.113.7 rport 50003"),
                "a TURN relay on its standard port (UDP)");
        assertNull(production.check("a=" + udp("192.168.1.20", 50000)), "as an SDP attribute");
    }

    @Test
    void namesOtherThanBrowsersRandomMdnsNamesAndGarbageAreDropped() {
        assertEquals(Reason.HOSTNAME, production.check(udp("metadata.google.internal", 80)));
        assertEquals(Reason.HOSTNAME, production.check(udp("printer.local", 631)));
        assertEquals(Reason.HOSTNAME, production.check(udp("localhost", 50000)));
        assertEquals(Reason.HOSTNAME, production.check(udp("1.2.3", 50000)), "not a dotted quad: never resolved");
        assertEquals(Reason.HOSTNAME, production.check(udp("0x7f.1", 50000)));
        assertEquals(Reason.HOSTNAME, production.check(udp("2130706433", 50000)), "127.0.0.1 as one number");
        assertEquals(Reason.MALFORMED, production.check("candidate:1 1 udp 1 127.0.0.1"));
        assertEquals(Reason.MALFORMED, production.check("candidate:1 1 udp 1 192.168.1.2 99999 typ host"));
        assertEquals(Reason.MALFORMED, production.check("candidate:1 1 udp 1 192.168.1.2 x typ host"));
    }

    @Test
    void candidateListsKeepTheGoodOnesAndCountTheRest() {
        List<Reason> dropped = new ArrayList<>();
        IceCandidate good = new IceCandidate(udp("192.168.1.20", 50000), 0, "0", null);
        IceCandidate end = new IceCandidate("", 0, "0", null);
        List<IceCandidate> kept = production.keep(List.of(
                new IceCandidate(udp("127.0.0.1", 50000), 0, "0", null), good,
                new IceCandidate(tcp("169.254.169.254", 80, "passive"), 0, "0", null), end), dropped::add);
        assertEquals(List.of(good, end), kept);
        assertEquals(List.of(Reason.LOOPBACK, Reason.METADATA), dropped);
    }

    @Test
    void sdpLosesOnlyTheRejectedCandidateLines() {
        String sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
                + "a=candidate:1 1 udp 2122260223 192.168.1.20 50000 typ host\r\n"
                + "a=candidate:2 1 tcp 1518280447 169.254.169.254 80 typ host tcptype passive\r\n"
                + "a=candidate:3 1 tcp 1518280447 127.0.0.1 6379 typ host tcptype passive\r\n"
                + "a=end-of-candidates\r\na=mid:0\r\n";
        PeerCandidateFilter.FilteredSdp filtered = production.filterSdp(sdp);
        assertEquals("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
                + "a=candidate:1 1 udp 2122260223 192.168.1.20 50000 typ host\r\n"
                + "a=end-of-candidates\r\na=mid:0\r\n", filtered.sdp());
        assertEquals(List.of(Reason.METADATA, Reason.LOOPBACK), filtered.dropped());
        assertEquals("v=0\na=candidate:1 1 udp 1 10.0.0.1 5000 typ host", production.filterSdp(
                "v=0\na=candidate:1 1 udp 1 10.0.0.1 5000 typ host").sdp(), "bare newlines and no final newline");
        String clean = "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n";
        assertEquals(clean, production.filterSdp(clean).sdp());
    }
}
