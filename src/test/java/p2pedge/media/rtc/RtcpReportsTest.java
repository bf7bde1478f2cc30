package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reception statistics (RFC 3550 A.3, A.8) and the sender/receiver report codec. */
class RtcpReportsTest {

    @Test
    void lossAndTheExtendedSequenceNumberFollowRfc3550AcrossAWrap() {
        ReceptionStats stats = new ReceptionStats(90_000);
        long now = 0;
        // 65530 .. 65535, 0 .. 9 with 65534, 3 and 4 lost: 16 expected, 13 received.
        for (int i = 0; i < 16; i++) {
            int sequence = (65530 + i) & 0xFFFF;
            if (sequence != 65534 && sequence != 3 && sequence != 4) {
                stats.onPacket(sequence, 3000L * i, now += 33_333_333);
            }
        }
        assertEquals(16, stats.expected());
        assertEquals(3, stats.cumulativeLost());
        assertEquals((1L << 16) | 9, stats.extendedHighestSequence());
        Rtcp.ReportBlock block = stats.reportBlock(7, now);
        assertEquals(3 * 256 / 16, block.fractionLost());
        assertEquals(0, stats.reportBlock(7, now).fractionLost(), "nothing new, nothing lost since the last report");
    }

    @Test
    void jitterIsZeroForPerfectPacingAndGrowsWithVariation() {
        ReceptionStats steady = new ReceptionStats(90_000);
        ReceptionStats shaky = new ReceptionStats(90_000);
        for (int i = 0; i < 100; i++) {
            long sent = i * 33_333_333L;
            steady.onPacket(i, 3000L * i, sent);
            shaky.onPacket(i, 3000L * i, sent + (i % 2 == 0 ? 0 : 10_000_000)); // every other packet 10 ms late
        }
        assertEquals(0, steady.jitter());
        assertTrue(shaky.jitter() > 400 && shaky.jitter() < 1000, "about 10 ms at 90 kHz, smoothed: " + shaky.jitter());
        // Days of uptime on the arrival clock and an RTP timestamp that wraps change nothing.
        ReceptionStats late = new ReceptionStats(90_000);
        long boot = 30L * 86_400 * 1_000_000_000L;
        for (int i = 0; i < 100; i++) {
            late.onPacket(i, (0xFFFFF000L + 3000L * i) & 0xFFFFFFFFL, boot + i * 33_333_333L);
        }
        assertEquals(0, late.jitter());
    }

    @Test
    void receiverReportCarriesLsrAndDlsrForTheSendersRoundTripTime() {
        ReceptionStats stats = new ReceptionStats(48_000);
        stats.onPacket(100, 960, 1_000_000_000L);
        long ntp = 0x0123_4567_89AB_CDEFL;
        stats.onSenderReport(ntp, 2_000_000_000L);
        byte[] rr = Rtcp.receiverReport(0x11223344, List.of(stats.reportBlock(0x55667788, 2_500_000_000L)));
        ByteBuffer in = ByteBuffer.wrap(rr);
        assertEquals(0x81, in.get() & 0xFF, "V=2, one block");
        assertEquals(201, in.get() & 0xFF);
        assertEquals(7, in.getShort(), "length in words minus one");
        assertEquals(0x11223344, in.getInt());
        assertEquals(0x55667788, in.getInt());
        assertEquals(0, in.getInt(), "no loss");
        assertEquals(100, in.getInt());
        in.getInt(); // jitter
        assertEquals(0x456789ABL, in.getInt() & 0xFFFFFFFFL, "LSR: the middle 32 bits of the SR's NTP time");
        assertEquals(32_768, in.getInt(), "DLSR: 0.5 s in 1/65536 s");
    }

    @Test
    void senderReportsRoundTripAndAreFoundInCompoundPackets() {
        byte[] sr = Rtcp.senderReport(42, 0x0102030405060708L, 0xF0000000L, 10, 1000);
        byte[] rr = Rtcp.receiverReport(1, List.of());
        byte[] compound = ByteBuffer.allocate(rr.length + sr.length).put(rr).put(sr).array();
        Rtcp.SenderInfo info = Rtcp.senderInfo(compound).orElseThrow();
        assertEquals(42, info.ssrc());
        assertEquals(0x0102030405060708L, info.ntpTimestamp());
        assertEquals(0xF0000000L, info.rtpTimestamp());
        assertTrue(Rtcp.senderInfo(rr).isEmpty());
        assertTrue(Rtcp.senderInfo(java.util.Arrays.copyOf(sr, 20)).isEmpty(), "truncated: nothing");
    }
}
