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

    /** True when the datagram opens with an epoch-0 handshake record carrying a later fragment of a ClientHello. */
    static boolean continuesClientHello(byte[] data) {
        return data.length >= HEADERS && (data[0] & 0xFF) == HANDSHAKE && data[3] == 0 && data[4] == 0
                && (data[13] & 0xFF) == CLIENT_HELLO && (data[19] != 0 || data[20] != 0 || data[21] != 0);
    }

    /**
     * The records of a datagram in short, for diagnosing a handshake that did not progress: per record its content
     * type, epoch and sequence number, and for epoch-0 handshake records the message type and message_seq
     * (e.g. {@code 22/0/5:11#1} is a Certificate, message 1, in record 5 of epoch 0).
     */
    static String describe(byte[] data) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (at + 13 <= data.length) {
            int type = data[at] & 0xFF;
            int epoch = ((data[at + 3] & 0xFF) << 8) | (data[at + 4] & 0xFF);
            long sequence = 0;
            for (int i = 5; i < 11; i++) {
                sequence = (sequence << 8) | (data[at + i] & 0xFF);
            }
            int length = ((data[at + 11] & 0xFF) << 8) | (data[at + 12] & 0xFF);
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(type).append('/').append(epoch).append('/').append(sequence);
            if (type == HANDSHAKE && epoch == 0 && at + 19 <= data.length) {
                out.append(':').append(data[at + 13] & 0xFF).append('#')
                        .append(((data[at + 17] & 0xFF) << 8) | (data[at + 18] & 0xFF));
            }
            at += 13 + length;
        }
        return out.toString();
    }
}
