package p2pedge.media.rtc;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What a viewer asks for in its (decrypted, possibly compound) RTCP: a keyframe (PLI, FIR; of which SSRCs) and/or the
 * retransmission of lost packets (generic NACK, RFC 4585 section 6.2.1), and what it reports about what it received
 * (report blocks of its receiver or sender reports, whose LSR/DLSR give the round trip), and what its receiver
 * estimates the path can carry ({@code estimateBps}, from REMB: draft-alvestrand-rmcat-remb; -1 when it says
 * nothing), and which packets reached it when ({@code transport}: transport-wide feedback). Malformed input yields nothing. A NACK's list is taken as sent, duplicates included: the forwarder
 * resends each packet once per round trip.
 */
public record RtcpFeedback(List<Integer> keyframeSsrcs, List<Nack> nacks, List<Rtcp.ReportBlock> reports, long estimateBps,
                           List<TransportFeedback> transport) {

    /** One generic NACK: the packets of {@code mediaSsrc} it asks for again, as listed. */
    public record Nack(int mediaSsrc, int[] sequences) {
    }

    /** Every packet asked for again, of whichever SSRC, in the order asked. */
    public int[] lostSequences() {
        return nacks.stream().flatMapToInt(nack -> java.util.Arrays.stream(nack.sequences())).toArray();
    }

    /** Distinct media SSRCs a compound packet may ask keyframes for: as many as a source has layers. */
    private static final int MAX_KEYFRAME_SSRCS = PeerSdp.MAX_LAYERS;

    /** Whether it asks for a keyframe (PLI or FIR), of whichever SSRC. */
    public boolean keyframe() {
        return !keyframeSsrcs.isEmpty();
    }

    /** At most 31 blocks per report (RFC 3550), and a compound packet fits one datagram: bounded. */
    private static final int MAX_REPORTS = 64;
    /** Transport-wide feedback messages read from one compound packet at most. */
    private static final int MAX_TRANSPORT = 8;

    public static RtcpFeedback parse(byte[] rtcp) {
        List<Integer> keyframes = new ArrayList<>();
        List<Nack> nacks = new ArrayList<>();
        List<Rtcp.ReportBlock> reports = new ArrayList<>();
        long estimate = -1;
        List<TransportFeedback> transport = new ArrayList<>();
        int at = 0;
        while (at + 4 <= rtcp.length) {
            int fmt = rtcp[at] & 0x1F;
            int type = rtcp[at + 1] & 0xFF;
            int length = ((((rtcp[at + 2] & 0xFF) << 8) | (rtcp[at + 3] & 0xFF)) + 1) * 4;
            if (at + length > rtcp.length) {
                break;
            }
            if (type == 200 || type == 201) {
                // Report blocks follow the sender's SSRC (RR) or its sender info (SR); fmt is their count.
                int first = at + (type == 200 ? 28 : 8);
                for (int i = 0; i < fmt && first + 24 * (i + 1) <= at + length && reports.size() < MAX_REPORTS; i++) {
                    ByteBuffer b = ByteBuffer.wrap(rtcp, first + 24 * i, 24);
                    int ssrc = b.getInt();
                    int lossWord = b.getInt();
                    long highest = b.getInt() & 0xFFFFFFFFL;
                    long jitter = b.getInt() & 0xFFFFFFFFL;
                    long lsr = b.getInt() & 0xFFFFFFFFL;
                    long dlsr = b.getInt() & 0xFFFFFFFFL;
                    reports.add(new Rtcp.ReportBlock(ssrc, lossWord >>> 24, (lossWord << 8) >> 8, highest, jitter, lsr, dlsr));
                }
            } else if (type == 206 && (fmt == 1 || fmt == 4) && length >= (fmt == 1 ? 12 : 20)) {
                // PLI names the media SSRC after the sender's; FIR names it in its first FCI entry.
                int media = ByteBuffer.wrap(rtcp, at + (fmt == 1 ? 8 : 12), 4).getInt();
                if (!keyframes.contains(media) && keyframes.size() < MAX_KEYFRAME_SSRCS) {
                    keyframes.add(media);
                }
            } else if (type == 206 && fmt == 15 && length >= 24 && rtcp[at + 12] == 'R' && rtcp[at + 13] == 'E'
                    && rtcp[at + 14] == 'M' && rtcp[at + 15] == 'B') {
                // Application-layer feedback "REMB": SSRC count, then a 6-bit exponent and an 18-bit mantissa.
                int exponent = (rtcp[at + 17] & 0xFF) >>> 2;
                long mantissa = ((rtcp[at + 17] & 0x03L) << 16) | ((rtcp[at + 18] & 0xFFL) << 8) | (rtcp[at + 19] & 0xFFL);
                estimate = exponent > 45 ? Long.MAX_VALUE : mantissa << exponent;
            } else if (type == 205 && fmt == 15 && transport.size() < MAX_TRANSPORT) {
                TransportFeedback.parse(rtcp, at, length).ifPresent(transport::add);
            } else if (type == 205 && fmt == 1 && length >= 12) {
                List<Integer> lost = new ArrayList<>();
                for (int fci = at + 12; fci + 4 <= at + length; fci += 4) {
                    int pid = ((rtcp[fci] & 0xFF) << 8) | (rtcp[fci + 1] & 0xFF);
                    int blp = ((rtcp[fci + 2] & 0xFF) << 8) | (rtcp[fci + 3] & 0xFF);
                    lost.add(pid);
                    for (int bit = 0; bit < 16; bit++) {
                        if ((blp & (1 << bit)) != 0) {
                            lost.add((pid + bit + 1) & 0xFFFF);
                        }
                    }
                }
                if (!lost.isEmpty()) {
                    nacks.add(new Nack(ByteBuffer.wrap(rtcp, at + 8, 4).getInt(), lost.stream().mapToInt(Integer::intValue).toArray()));
                }
            }
            at += length;
        }
        return new RtcpFeedback(List.copyOf(keyframes), List.copyOf(nacks), List.copyOf(reports), estimate,
                List.copyOf(transport));
    }
}
