package p2pedge.net;

import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpLiteralTest {

    @Test
    void dottedQuadsParseToTheirBytes() throws Exception {
        for (String text : new String[] {"0.0.0.0", "1.2.3.4", "10.0.0.255", "127.0.0.1", "192.168.100.20", "255.255.255.255"}) {
            InetAddress parsed = IpLiteral.parse(text);
            assertInstanceOf(Inet4Address.class, parsed, text);
            assertEquals(text, parsed.getHostAddress());
        }
        assertEquals("203.0.113.7", IpLiteral.parse("[203.0.113.7]").getHostAddress(), "brackets");
    }

    @Test
    void whatIsNotALiteralIsNotResolved() {
        for (String text : new String[] {"", ".", "1.2.3", "1.2.3.", "1.2.3.4.", "1.2.3.4.5", "256.1.1.1", "1.2.3.1000",
                "01.2.3.4", "1.2.3.04", "1..2.3", "1.2.3.x", " 1.2.3.4", "1.2.3.4 ", "-1.2.3.4", "+1.2.3.4", "1234.1.1.1",
                "localhost", "example.com", "0x7f.0.0.1", "127.1", "::g", "a:b:c:d:e:f:0:1:2:3:4:5:6:7:8:9:a:b:c:d:e:f:0:1:2:3"}) {
            assertNull(IpLiteral.parse(text), text);
            assertFalse(IpLiteral.isLoopback(text), text);
        }
        assertNull(IpLiteral.parse(null));
        assertFalse(IpLiteral.isLoopback(null));
    }

    @Test
    void ipv6WithBracketsAndZone() {
        assertInstanceOf(Inet6Address.class, IpLiteral.parse("2001:db8::1"));
        assertEquals(IpLiteral.parse("2001:db8::1"), IpLiteral.parse("[2001:db8::1]"));
        assertEquals(IpLiteral.parse("fe80::1"), IpLiteral.parse("fe80::1%eth0"));
    }

    @Test
    void loopbackInEverySpelling() {
        for (String text : new String[] {"127.0.0.1", "127.255.255.254", "127.0.0.2", "::1", "[::1]", "0:0:0:0:0:0:0:1",
                "::ffff:127.0.0.1"}) {
            assertTrue(IpLiteral.isLoopback(text), text);
        }
        for (String text : new String[] {"126.255.255.255", "128.0.0.1", "10.0.0.1", "0.0.0.0", "::", "2001:db8::1", "::2",
                "::ffff:10.0.0.1"}) {
            assertFalse(IpLiteral.isLoopback(text), text);
        }
    }
}
