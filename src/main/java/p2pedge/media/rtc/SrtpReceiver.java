package p2pedge.media.rtc;

import java.security.GeneralSecurityException;

/**
 * SRTP checking and decryption of the RTP of one SSRC received, AES_CM_128_HMAC_SHA1_80 (RFC 3711): the packet
 * index from its sequence number and the rollover counter, the tag checked before anything else, a replay window of
 * the last {@link #WINDOW} indices, and the state moved on only by a packet that passed both. Through its
 * {@link SrtpKeystream}: no cipher initialised per packet (jitsi-srtp's receiver context, used before, initialised
 * AES again for every packet: a seventh of a load client's CPU, bench/media-plane.sh with a flight recording).
 * Not thread-safe.
 */
final class SrtpReceiver {

    /** Indices this far behind the highest one received are refused as replays (RFC 3711 asks for at least 64). */
    static final int WINDOW = 64;

    private final SrtpKeystream keys;
    private int roc;
    private int highest = -1;
    /** Bit i: index (highest - i) was received. */
    private long seen;

    SrtpReceiver(byte[] masterKey, byte[] masterSalt, int ssrc) throws GeneralSecurityException {
        this.keys = SrtpKeystream.forRtp(masterKey, masterSalt, ssrc);
    }

    /** The plain RTP packet, a new array; null when it is cut short, fails authentication or is a replay. */
    byte[] unprotect(byte[] packet) throws GeneralSecurityException {
        int end = packet.length - SrtpKeystream.AUTH_TAG;
        int header = HeaderExtensions.blockEnd(packet);
        if (header < 0 || header > end) {
            return null;
        }
        int sequence = ((packet[2] & 0xFF) << 8) | (packet[3] & 0xFF);
        int guessedRoc = SrtpKeystream.guessRoc(sequence, highest, roc);
        long index = ((long) guessedRoc << 16) | sequence;
        long behind = highest < 0 ? -1 : (((long) roc << 16) | highest) - index;
        if (behind >= WINDOW || (behind >= 0 && (seen & (1L << behind)) != 0)) {
            return null;
        }
        if (!SrtpKeystream.sameTag(keys.tag(packet, end, guessedRoc), packet, end)) {
            return null;
        }
        byte[] plain = new byte[end];
        System.arraycopy(packet, 0, plain, 0, header);
        keys.xor(packet, header, end, plain, index);
        if (behind < 0) {
            seen = -behind >= WINDOW ? 1 : (seen << -behind) | 1; // before the first packet, seen is 0
            roc = guessedRoc;
            highest = sequence;
        } else {
            seen |= 1L << behind;
        }
        return plain;
    }
}
