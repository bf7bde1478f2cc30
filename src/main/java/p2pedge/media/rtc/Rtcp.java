package p2pedge.media.rtc;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/** The RTCP packets the forwarder writes itself, and the sender reports it reads from a source. */
public final class Rtcp {

    private static final int SR = 200;
    private static final int RR = 201;

    private Rtcp() {
    }

    /** The NTP/RTP time pair of a source's sender report (RFC 3550 section 6.4.1). */
    public record SenderInfo(int ssrc, long ntpTimestamp, long rtpTimestamp) {
    }

    /** One report block of a receiver report. */
    public record ReportBlock(int ssrc, int fractionLost, long cumulativeLost, long extendedHighestSequence,
                              long jitter, long lastSenderReport, long delaySinceLastSenderReport) {
    }

    /** Picture Loss Indication (RFC 4585 section 6.3.1): "send me a keyframe". */
    public static byte[] pli(int senderSsrc, int mediaSsrc) {
        return ByteBuffer.allocate(12)
                .put((byte) 0x81)          // V=2, P=0, FMT=1
                .put((byte) 206)           // PT=PSFB
                .putShort((short) 2)       // length in 32-bit words minus one
                .putInt(senderSsrc)
                .putInt(mediaSsrc)
                .array();
    }

    /**
     * Generic NACK (RFC 4585 section 6.2.1): "resend these packets of {@code mediaSsrc}". {@code sequences} ascending
     * (mod 2^16 from the first); each FCI entry names one and a bitmask of the 16 after it.
     */
    public static byte[] nack(int senderSsrc, int mediaSsrc, int[] sequences) {
        int[] pids = new int[sequences.length];
        int[] masks = new int[sequences.length];
        int entries = 0;
        for (int sequence : sequences) {
            int offset = entries == 0 ? -1 : SequenceNumbers.distance(pids[entries - 1], sequence) - 1;
            if (offset >= 0 && offset < 16) {
                masks[entries - 1] |= 1 << offset;
            } else {
                pids[entries++] = sequence & 0xFFFF;
            }
        }
        ByteBuffer out = ByteBuffer.allocate(12 + 4 * entries)
                .put((byte) 0x81)                   // V=2, P=0, FMT=1
                .put((byte) 205)                    // PT=RTPFB
                .putShort((short) (2 + entries))    // length in 32-bit words minus one
                .putInt(senderSsrc)
                .putInt(mediaSsrc);
        for (int i = 0; i < entries; i++) {
            out.putShort((short) pids[i]).putShort((short) masks[i]);
        }
        return out.array();
    }

    /** A sender report without report blocks: what a viewer needs to map RTP time to wall-clock time (lip sync). */
    public static byte[] senderReport(int ssrc, long ntpTimestamp, long rtpTimestamp, long packets, long octets) {
        return ByteBuffer.allocate(28)
                .put((byte) 0x80)
                .put((byte) SR)
                .putShort((short) 6)
                .putInt(ssrc)
                .putLong(ntpTimestamp)
                .putInt((int) rtpTimestamp)
                .putInt((int) packets)
                .putInt((int) octets)
                .array();
    }

    /** A receiver report (RFC 3550 section 6.4.2) with up to 31 blocks. */
    public static byte[] receiverReport(int senderSsrc, List<ReportBlock> blocks) {
        if (blocks.size() > 31) {
            throw new IllegalArgumentException("at most 31 report blocks");
        }
        ByteBuffer out = ByteBuffer.allocate(8 + 24 * blocks.size())
                .put((byte) (0x80 | blocks.size()))
                .put((byte) RR)
                .putShort((short) (1 + 6 * blocks.size()))
                .putInt(senderSsrc);
        for (ReportBlock b : blocks) {
            long lost = Math.max(-0x800000, Math.min(0x7FFFFF, b.cumulativeLost())) & 0xFFFFFF;
            out.putInt(b.ssrc())
                    .putInt((b.fractionLost() << 24) | (int) lost)
                    .putInt((int) b.extendedHighestSequence())
                    .putInt((int) b.jitter())
                    .putInt((int) b.lastSenderReport())
                    .putInt((int) b.delaySinceLastSenderReport());
        }
        return out.array();
    }

    /** The sender report in a (decrypted, possibly compound) RTCP packet, if there is one. Malformed input: none. */
    public static Optional<SenderInfo> senderInfo(byte[] rtcp) {
        int at = 0;
        while (at + 4 <= rtcp.length) {
            int length = ((((rtcp[at + 2] & 0xFF) << 8) | (rtcp[at + 3] & 0xFF)) + 1) * 4;
            if (at + length > rtcp.length) {
                break;
            }
            if ((rtcp[at + 1] & 0xFF) == SR && length >= 28) {
                ByteBuffer sr = ByteBuffer.wrap(rtcp, at + 4, 24);
                return Optional.of(new SenderInfo(sr.getInt(), sr.getLong(), sr.getInt() & 0xFFFFFFFFL));
            }
            at += length;
        }
        return Optional.empty();
    }
}
