package p2pedge.media.rtc;

import java.security.GeneralSecurityException;

/**
 * SRTP protection of the RTP of one SSRC the edge sends, AES_CM_128_HMAC_SHA1_80 (RFC 3711), made for the fan-out:
 * its {@link SrtpKeystream} derived once, and no allocation per packet when the caller gives the array to write into. It produces
 * the same bytes as jitsi-srtp's sender context (SrtpSenderTest holds the two side by side). Not thread-safe.
 */
final class SrtpSender {

    static final int AUTH_TAG = SrtpKeystream.AUTH_TAG;

    private final SrtpKeystream keys;
    /** The rollover counter and the highest sequence number sent (RFC 3711 section 3.3.1). */
    private int roc;
    private int highest = -1;

    SrtpSender(byte[] masterKey, byte[] masterSalt, int ssrc) throws GeneralSecurityException {
        this.keys = SrtpKeystream.forRtp(masterKey, masterSalt, ssrc);
    }

    /** {@code packet} (plain RTP, this sender's SSRC) encrypted and authenticated: a new array, the tag appended. */
    byte[] protect(byte[] packet) throws GeneralSecurityException {
        byte[] out = new byte[packet.length + AUTH_TAG];
        protect(packet, packet.length, out);
        return out;
    }

    /**
     * As {@link #protect(byte[])} for the packet {@code packet[0, length)}, written into {@code out} (at least the
     * packet's length and the tag's); returns its length.
     */
    int protect(byte[] packet, int length, byte[] out) throws GeneralSecurityException {
        int header = HeaderExtensions.blockEnd(packet, length); // fixed header, CSRCs and extension stay in the clear
        if (header < 0) {
            throw new GeneralSecurityException("RTP header beyond the packet");
        }
        int sequence = ((packet[2] & 0xFF) << 8) | (packet[3] & 0xFF);
        int guessedRoc = SrtpKeystream.guessRoc(sequence, highest, roc);
        System.arraycopy(packet, 0, out, 0, header);
        keys.xor(packet, header, length, out, ((long) guessedRoc << 16) | sequence);
        System.arraycopy(keys.tag(out, length, guessedRoc), 0, out, length, AUTH_TAG);
        if (highest < 0 || guessedRoc > roc) {
            roc = guessedRoc;
            highest = sequence;
        } else if (guessedRoc == roc && sequence > highest) {
            highest = sequence;
        }
        return length + AUTH_TAG;
    }
}
