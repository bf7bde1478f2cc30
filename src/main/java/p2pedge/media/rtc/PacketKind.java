package p2pedge.media.rtc;

/**
 * What a datagram on the shared media port is, from its first bytes (RFC 7983): STUN, DTLS, RTP or RTCP.
 * RTCP is told from RTP by its packet type (RFC 5761: 192..223 under rtcp-mux).
 */
public enum PacketKind {
    STUN, DTLS, RTP, RTCP, UNKNOWN;

    public static PacketKind of(byte[] data, int length) {
        if (length < 1) {
            return UNKNOWN;
        }
        int first = data[0] & 0xFF;
        if (first <= 3) {
            return STUN;
        }
        if (first >= 20 && first <= 63) {
            return DTLS;
        }
        if (first >= 128 && first <= 191) {
            if (length < 2) {
                return UNKNOWN;
            }
            int packetType = data[1] & 0xFF;
            return packetType >= 192 && packetType <= 223 ? RTCP : RTP;
        }
        return UNKNOWN;
    }
}
