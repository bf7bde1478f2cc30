package p2pedge.media.rtc;

/** What the port checks in a DTLS datagram before it spends a handshake on it (RFC 6347 record and handshake headers). */
final class DtlsRecords {

    private static final int HANDSHAKE = 22;
    private static final int CLIENT_HELLO = 1;
    /** Record header (13) and handshake header (12). */
    private static final int HEADERS = 25;

    private DtlsRecords() {
    }

    /**
     * True when the datagram opens with an epoch-0 handshake record carrying the start of a ClientHello
     * (fragment offset 0): the only way a DTLS association can begin. A ClientHello too big for one datagram
     * (large key shares) still begins with its offset-0 fragment.
     */
    static boolean startsClientHello(byte[] data) {
        return data.length >= HEADERS && (data[0] & 0xFF) == HANDSHAKE && data[3] == 0 && data[4] == 0
                && (data[13] & 0xFF) == CLIENT_HELLO && data[19] == 0 && data[20] == 0 && data[21] == 0;
    }
}
