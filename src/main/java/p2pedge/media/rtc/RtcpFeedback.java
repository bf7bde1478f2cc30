package p2pedge.media.rtc;

import java.util.ArrayList;
import java.util.List;

/**
 * What a viewer asks for in its (decrypted, possibly compound) RTCP: a keyframe (PLI, FIR) and/or the
 * retransmission of lost packets (generic NACK, RFC 4585 section 6.2.1). Malformed input yields nothing.
 */
public record RtcpFeedback(boolean keyframe, int[] lostSequences) {

    public static RtcpFeedback parse(byte[] rtcp) {
        boolean keyframe = false;
        List<Integer> lost = new ArrayList<>();
        int at = 0;
        while (at + 4 <= rtcp.length) {
            int fmt = rtcp[at] & 0x1F;
            int type = rtcp[at + 1] & 0xFF;
            int length = ((((rtcp[at + 2] & 0xFF) << 8) | (rtcp[at + 3] & 0xFF)) + 1) * 4;
            if (at + length > rtcp.length) {
                break;
            }
            if (type == 206 && (fmt == 1 || fmt == 4)) {
                keyframe = true;
            } else if (type == 205 && fmt == 1) {
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
            }
            at += length;
        }
        return new RtcpFeedback(keyframe, lost.stream().mapToInt(Integer::intValue).toArray());
    }
}
