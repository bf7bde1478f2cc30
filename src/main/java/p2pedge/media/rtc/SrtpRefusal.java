package p2pedge.media.rtc;

/** Why a received SRTP packet was not passed on, told where it was refused. */
public enum SrtpRefusal {
    /** Too short for its header and tag, or not parseable (or the edge's own cipher failed on it). */
    MALFORMED,
    /** Its index was taken already or fell behind the replay window: its sender sent it again, or too late. */
    REPLAYED,
    /** Its tag did not match: forged, corrupted, or under other keys. */
    UNAUTHENTIC,
    /** A new SSRC past those one session keeps ({@link SsrcTable#MAX}): a peer inventing them. */
    SSRC_LIMIT
}
