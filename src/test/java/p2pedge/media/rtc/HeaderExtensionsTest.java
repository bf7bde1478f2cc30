package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class HeaderExtensionsTest {

    private static final byte[] PAYLOAD = {0x10, 0x00, 0x00, 0x01, 0x02};

    /** An RTP packet with {@code block} (profile, length and elements, already padded) as its extension. */
    private static byte[] packet(byte[] block) {
        byte[] out = new byte[12 + block.length + PAYLOAD.length];
        out[0] = (byte) (0x80 | (block.length > 0 ? 0x10 : 0));
        out[1] = 96;
        System.arraycopy(block, 0, out, 12, block.length);
        System.arraycopy(PAYLOAD, 0, out, 12 + block.length, PAYLOAD.length);
        return out;
    }

    @Test
    void readsARidFromTheOneByteForm() {
        // mid "0" as element 4, rid "h" as element 10, then padding to the word.
        byte[] rtp = packet(new byte[]{(byte) 0xBE, (byte) 0xDE, 0, 1, 0x40, '0', (byte) 0xA0, 'h'});
        assertEquals(Optional.of("h"), HeaderExtensions.text(rtp, 10));
        assertEquals(Optional.of("0"), HeaderExtensions.text(rtp, 4));
        assertEquals(Optional.empty(), HeaderExtensions.text(rtp, 3));
    }

    @Test
    void readsTheTwoByteForm() {
        byte[] rid = "high".getBytes(StandardCharsets.US_ASCII);
        byte[] rtp = packet(new byte[]{0x10, 0x00, 0, 2, 12, 4, rid[0], rid[1], rid[2], rid[3], 0, 0});
        assertEquals(Optional.of("high"), HeaderExtensions.text(rtp, 12));
    }

    @Test
    void aMalformedBlockReadsAsAbsent() {
        byte[] lengthPastTheBlock = packet(new byte[]{(byte) 0xBE, (byte) 0xDE, 0, 1, (byte) 0xAF, 'h', 0, 0});
        assertEquals(Optional.empty(), HeaderExtensions.text(lengthPastTheBlock, 10));
        byte[] blockPastThePacket = packet(new byte[]{(byte) 0xBE, (byte) 0xDE, 0, 9, (byte) 0xA0, 'h', 0, 0});
        assertEquals(Optional.empty(), HeaderExtensions.text(blockPastThePacket, 10));
        assertArrayEquals(blockPastThePacket, HeaderExtensions.stripped(blockPastThePacket), "left as it is");
        assertEquals(Optional.empty(), HeaderExtensions.text(new byte[]{(byte) 0x90, 96, 0}, 10));
    }

    @Test
    void strippingKeepsTheHeaderAndPayload() {
        byte[] rtp = packet(new byte[]{(byte) 0xBE, (byte) 0xDE, 0, 1, 0x40, '0', (byte) 0xA0, 'h'});
        byte[] plain = HeaderExtensions.stripped(rtp);
        assertArrayEquals(packet(new byte[0]), plain);
        assertArrayEquals(PAYLOAD, Arrays.copyOfRange(plain, 12, plain.length));
    }

    /** The edge's block in place of the source's, written into a used array: the bytes a fresh copy has. */
    @Test
    void stampingReplacesTheSourcesBlockAndLeavesNothingOfTheArraysPast() {
        byte[] source = packet(new byte[]{(byte) 0xBE, (byte) 0xDE, 0, 1, 0x40, '0', (byte) 0xA0, 'h'});
        byte[] expected = packet(new byte[]{(byte) 0xBE, (byte) 0xDE, 0, 2, 0x32, 1, 2, 3, 0x51, 4, 5, 0});
        assertArrayEquals(expected, HeaderExtensions.stamped(source, 3, 0x010203, 5, 0x0405));
        byte[] used = new byte[source.length + HeaderExtensions.MAX_STAMP_GROWTH];
        Arrays.fill(used, (byte) 0x7F);
        assertArrayEquals(expected, Arrays.copyOf(used, HeaderExtensions.stampInto(source, 3, 0x010203, 5, 0x0405, used)));

        Arrays.fill(used, (byte) 0x7F);
        assertArrayEquals(packet(new byte[0]), Arrays.copyOf(used, HeaderExtensions.stampInto(source, 0, 0, 0, 0, used)),
                "no ids: the source's block dropped");
        byte[] blockPastThePacket = packet(new byte[]{(byte) 0xBE, (byte) 0xDE, 0, 9, (byte) 0xA0, 'h', 0, 0});
        assertArrayEquals(blockPastThePacket, HeaderExtensions.stamped(blockPastThePacket, 3, 1, 5, 1), "malformed: as it came");
        byte[] tooShort = {(byte) 0x80, 96, 0};
        assertArrayEquals(tooShort, HeaderExtensions.stamped(tooShort, 3, 1, 5, 1), "not RTP: as it came");
    }
}
