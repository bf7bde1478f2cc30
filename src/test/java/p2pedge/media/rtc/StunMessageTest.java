package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Against the test vectors of RFC 5769 (sections 2.1 to 2.3), bit for bit. */
class StunMessageTest {

    static final byte[] PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt".getBytes(StandardCharsets.UTF_8);
    static final byte[] TRANSACTION = HexFormat.of().parseHex("b7e7a701bc34d686fa87dfae");
    static final byte[] SAMPLE_REQUEST = HexFormat.of().parseHex(
            "000100582112a442b7e7a701bc34d686fa87dfae"
                    + "80220010" + "5354554e" + "20746573" + "7420636c" + "69656e74"
                    + "00240004" + "6e0001ff"
                    + "80290008" + "932ff9b151263b36"
                    + "00060009" + "6576746a3a68367659202020"
                    + "00080014" + "9aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2"
                    + "80280004" + "e57a3bcf");
    static final byte[] SAMPLE_IPV4_RESPONSE = HexFormat.of().parseHex(
            "0101003c2112a442b7e7a701bc34d686fa87dfae"
                    + "8022000b" + "7465737420766563746f7220"
                    + "00200008" + "0001a147e112a643"
                    + "00080014" + "2b91f599fd9e90c38c7489f92af9ba53f06be7d7"
                    + "80280004" + "c07d4c96");
    static final byte[] SAMPLE_IPV6_RESPONSE = HexFormat.of().parseHex(
            "010100482112a442b7e7a701bc34d686fa87dfae"
                    + "8022000b" + "7465737420766563746f7220"
                    + "00200014" + "0002a1470113a9faa5d3f179bc25f4b5bed2b9d9"
                    + "00080014" + "a382954e4be67bf11784c97c8292c275bfe3ed41"
                    + "80280004" + "c8fb0b4c");

    @Test
    void parsesAndChecksTheSampleRequest() throws Exception {
        StunMessage request = StunMessage.parse(SAMPLE_REQUEST, SAMPLE_REQUEST.length);
        assertEquals(StunMessage.BINDING_REQUEST, request.type());
        assertArrayEquals(TRANSACTION, request.transactionId());
        assertEquals("evtj:h6vY", request.username().orElseThrow());
        assertEquals(0x6e0001ffL, request.priority().orElseThrow());
        assertTrue(request.has(StunMessage.ICE_CONTROLLED));
        assertTrue(request.hasValidFingerprint());
        assertTrue(request.hasValidIntegrity(PASSWORD));
        assertFalse(request.hasValidIntegrity("wrong".getBytes(StandardCharsets.UTF_8)));
        byte[] tampered = SAMPLE_REQUEST.clone();
        tampered[45] ^= 1; // inside PRIORITY
        StunMessage bad = StunMessage.parse(tampered, tampered.length);
        assertFalse(bad.hasValidIntegrity(PASSWORD));
        assertFalse(bad.hasValidFingerprint());
    }

    @Test
    void buildsTheSampleResponsesBitForBit() throws Exception {
        InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853);
        byte[] built = StunMessage.builder(StunMessage.BINDING_SUCCESS, TRANSACTION).padding((byte) 0x20)
                .string(StunMessage.SOFTWARE, "test vector").xorMappedAddress(v4).build(PASSWORD, true);
        assertArrayEquals(SAMPLE_IPV4_RESPONSE, built);
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853);
        byte[] built6 = StunMessage.builder(StunMessage.BINDING_SUCCESS, TRANSACTION).padding((byte) 0x20)
                .string(StunMessage.SOFTWARE, "test vector").xorMappedAddress(v6).build(PASSWORD, true);
        assertArrayEquals(SAMPLE_IPV6_RESPONSE, built6);
        assertEquals(v4, StunMessage.parse(SAMPLE_IPV4_RESPONSE, SAMPLE_IPV4_RESPONSE.length).xorMappedAddress().orElseThrow());
        assertEquals(v6, StunMessage.parse(SAMPLE_IPV6_RESPONSE, SAMPLE_IPV6_RESPONSE.length).xorMappedAddress().orElseThrow());
    }

    @Test
    void malformedMessagesAreRejected() {
        byte[] truncated = java.util.Arrays.copyOf(SAMPLE_REQUEST, 56);
        truncated[3] = 36; // ICE-CONTROLLED's value would run past the end
        assertThrows(StunException.class, () -> StunMessage.parse(truncated, truncated.length));
        assertFalse(StunMessage.looksLikeStun(new byte[]{(byte) 0x80, 0, 0, 0}, 4));
        byte[] noCookie = SAMPLE_REQUEST.clone();
        noCookie[4] = 0;
        assertThrows(StunException.class, () -> StunMessage.parse(noCookie, noCookie.length));
    }
}
