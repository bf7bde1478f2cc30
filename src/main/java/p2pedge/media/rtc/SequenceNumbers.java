package p2pedge.media.rtc;

/** RTP's 16-bit sequence numbers, which wrap: their distance and order modulo 2^16 (RFC 3550, appendix A.1). */
public final class SequenceNumbers {

    private SequenceNumbers() {
    }

    /** How far {@code to} is ahead of {@code from}, counting on past the wrap: 0 .. 65,535. */
    public static int distance(int from, int to) {
        return (to - from) & 0xFFFF;
    }

    /** Whether {@code a} comes after {@code b}: less than half the number space ahead of it. */
    public static boolean newer(int a, int b) {
        int ahead = distance(b, a);
        return ahead != 0 && ahead < 0x8000;
    }
}
