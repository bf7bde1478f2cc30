package p2pedge.webrtc;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CandidateLineTest {

    @Test
    void theEdgesHostCandidateHasTheRfc8445PriorityOfAHostOnItsBestAddress() {
        assertEquals("candidate:1 1 udp 2130706431 203.0.113.7 10000 typ host",
                CandidateLine.udp(CandidateLine.Type.HOST, 1, "203.0.113.7", 10_000).format());
        assertEquals("candidate:2 1 udp 1694498815 2001:db8::1 3478 typ srflx",
                CandidateLine.udp(CandidateLine.Type.SRFLX, 2, "2001:db8::1", 3478).format(), "(100 << 24) | (65535 << 8) | 255");
    }

    @Test
    void readsWhatItWritesAndWhatBrowsersSend() {
        CandidateLine host = CandidateLine.parse("a=candidate:1 1 udp 2130706431 127.0.0.1 10000 typ host").orElseThrow();
        assertEquals(CandidateLine.udp(CandidateLine.Type.HOST, 1, "127.0.0.1", 10_000), host);
        assertEquals(new InetSocketAddress("127.0.0.1", 10_000), host.socketAddress());
        assertTrue(host.udp());
        assertFalse(host.ipv6());

        String srflx = "candidate:842163049 1 UDP 1677729535 198.51.100.4 61200 typ srflx raddr 10.0.0.2 rport 61200 generation 0 "
                + "ufrag EsAw network-cost 999";
        CandidateLine read = CandidateLine.parse(srflx).orElseThrow();
        assertEquals(CandidateLine.Type.SRFLX, read.type());
        assertEquals("842163049", read.foundation());
        assertEquals(1677729535L, read.priority());
        assertTrue(read.udp(), "transport names are case-insensitive");
        assertEquals(srflx, read.format(), "extensions kept verbatim");

        CandidateLine v6 = CandidateLine.parse("candidate:3 1 udp 2122262783 2001:db8::5 50000 typ host generation 0").orElseThrow();
        assertTrue(v6.ipv6());
        assertEquals(new InetSocketAddress("2001:db8::5", 50_000), v6.socketAddress());
        assertEquals("candidate:3 1 udp 2122262783 192.0.2.1 50000 typ host generation 0", v6.at("192.0.2.1").format());

        assertFalse(CandidateLine.parse("candidate:4 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active").orElseThrow().udp());
    }

    @Test
    void extensionsAreReadByName() {
        CandidateLine tcp = CandidateLine.parse("candidate:3 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active generation 0")
                .orElseThrow();
        assertEquals("active", tcp.extension("tcptype"));
        assertEquals("0", tcp.extension("GENERATION"));
        assertEquals(null, tcp.extension("raddr"));
        assertEquals(null, CandidateLine.udp(CandidateLine.Type.HOST, 1, "192.0.2.1", 1).extension("tcptype"));
    }

    @Test
    void whatIsNotACandidateIsEmpty() {
        for (String bad : new String[]{"", "candidate:1 1 udp 2130706431 127.0.0.1 10000", "candidate:1 1 udp 2130706431 127.0.0.1 x typ host",
                "candidate:1 1 udp 2130706431 127.0.0.1 70000 typ host", "candidate:1 1 udp 2130706431 127.0.0.1 1 type host",
                "candidate:1 1 udp 2130706431 127.0.0.1 1 typ nat", "candidate: 1 udp 2130706431 127.0.0.1 1 typ host",
                "a=ice-ufrag:1 1 udp 2130706431 127.0.0.1 1 typ host"}) {
            assertEquals(Optional.empty(), CandidateLine.parse(bad), bad);
        }
    }
}
