package p2pedge.media.rtc;

/** SRTP's rollover counter: the period of 65,536 sequence numbers a packet belongs to (RFC 3711 section 3.3.1). */
final class RolloverCounter {

    private RolloverCounter() {
    }

    /**
     * The rollover counter a sequence number belongs to, judged from the highest one seen ({@code highest} in period
     * {@code roc}, -1 before the first): RFC 3711 section 3.3.1 and appendix A.
     */
    static int guess(int sequence, int highest, int roc) {
        if (highest < 0) {
            return roc;
        }
        if (highest < 32_768) {
            return sequence - highest > 32_768 ? roc - 1 : roc;
        }
        return highest - 32_768 > sequence ? roc + 1 : roc;
    }
}
