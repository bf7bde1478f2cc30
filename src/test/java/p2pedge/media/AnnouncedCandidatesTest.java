package p2pedge.media;

import org.junit.jupiter.api.Test;
import p2pedge.webrtc.IceCandidate;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AnnouncedCandidatesTest {

    private static IceCandidate gathered(String candidate) {
        return new IceCandidate(candidate, 0, "0", "abcd");
    }

    private static final IceCandidate V4 = gathered("candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host generation 0 network-id 1");
    private static final IceCandidate V6 = gathered("candidate:2 1 udp 2122262783 2001:db8::2 50001 typ host generation 0");
    private static final IceCandidate SRFLX = gathered("candidate:3 1 udp 1686052607 198.51.100.4 50000 typ srflx raddr 10.0.0.2 rport 50000");

    @Test
    void eachGatheredHostCandidateIsAnnouncedAtEveryConfiguredAddressOfItsFamily() {
        List<IceCandidate> out = new AnnouncedCandidates(List.of("203.0.113.7", "127.0.0.1", "2001:db8::7"), true)
                .announce(List.of(V4, V6, SRFLX));
        assertEquals(List.of(
                gathered("candidate:1 1 udp 2122260223 203.0.113.7 50000 typ host generation 0 network-id 1"),
                gathered("candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host generation 0 network-id 1"),
                gathered("candidate:2 1 udp 2122262783 2001:db8::7 50001 typ host generation 0")), out);
    }

    @Test
    void withoutAddressesHostCandidatesGoOutAsGatheredAndIpv6OnlyWhenAsked() {
        assertEquals(List.of(V4), new AnnouncedCandidates(List.of(), false).announce(List.of(V4, V6, SRFLX, gathered("junk"))));
        assertEquals(List.of(V4, V6), new AnnouncedCandidates(List.of(), true).announce(List.of(V4, V6)));
    }
}
