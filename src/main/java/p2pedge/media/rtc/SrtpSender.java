package p2pedge.media.rtc;

import java.security.GeneralSecurityException;

/**
 * SRTP protection of the RTP of one SSRC the edge sends, made for the fan-out: its {@link SrtpCrypto} derived once,
 * and no allocation per packet when the caller gives the array to write into. It produces the same bytes as
 * jitsi-srtp's sender context in both profiles (SrtpSenderTest holds the two side by side). Not thread-safe.
 */
final class SrtpSender {

    private final SrtpCrypto crypto;
    /** The rollover counter and the highest sequence number sent (RFC 3711 section 3.3.1). */
    private int roc;
    private int highest = -1;

    SrtpSender(SrtpProfile profile, byte[] masterKey, byte[] masterSalt, int ssrc) throws GeneralSecurityException {
        this.crypto = SrtpCrypto.of(profile, masterKey, masterSalt, ssrc, SrtpCrypto.LABELS_RTP);
    }

    /** {@code packet} (plain RTP, this sender's SSRC) encrypted and authenticated: a new array, the tag appended. */
    byte[] protect(byte[] packet) throws GeneralSecurityException {
        byte[] out = new byte[packet.length + crypto.tagLength()];
        protect(packet, packet.length, out);
        return out;
    }

    /**
     * As {@link #protect(byte[])} for the packet {@code packet[0, length)}, written into {@code out} (at least the
     * packet's length and {@link SrtpProfile#MAX_TAG}); returns its length.
     */
    int protect(byte[] packet, int length, byte[] out) throws GeneralSecurityException {
        int header = HeaderExtensions.blockEnd(packet, length); // fixed header, CSRCs and extension stay in the clear
        if (header < 0) {
            throw new GeneralSecurityException("RTP header beyond the packet");
        }
        int sequence = SrtpCrypto.sequence(packet);
        int guessedRoc = RolloverCounter.guess(sequence, highest, roc);
        int protectedLength = crypto.protectRtp(packet, header, length, out, guessedRoc);
        if (highest < 0 || guessedRoc > roc) {
            roc = guessedRoc;
            highest = sequence;
        } else if (guessedRoc == roc && sequence > highest) {
            highest = sequence;
        }
        return protectedLength;
    }
}
