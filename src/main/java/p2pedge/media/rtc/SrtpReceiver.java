package p2pedge.media.rtc;

import java.security.GeneralSecurityException;

/**
 * SRTP checking and decryption of the RTP of one SSRC received, AES_CM_128_HMAC_SHA1_80 (RFC 3711): the packet
 * index from its sequence number and the rollover counter, the tag checked before anything else, a replay window of
 * the last {@link ReplayWindow#SIZE} indices, and the state moved on only by a packet that passed both. Through its
 * {@link SrtpKeystream}: no cipher initialised per packet (jitsi-srtp's receiver context, used before, initialised
 * AES again for every packet: a seventh of a load client's CPU, bench/media-plane.sh with a flight recording).
 * Not thread-safe.
 */
final class SrtpReceiver {

    private final SrtpKeystream keys;
    /** From -1: the first packet is new whatever its index; its highest index gives the rollover counter too. */
    private final ReplayWindow window = new ReplayWindow(-1);

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
        long highest = window.highest();
        int guessedRoc = highest < 0 ? 0 : SrtpKeystream.guessRoc(sequence, (int) (highest & 0xFFFF), (int) (highest >> 16));
        long index = ((long) guessedRoc << 16) | sequence;
        if (!window.fresh(index)) {
            return null;
        }
        if (!SrtpKeystream.sameTag(keys.tag(packet, end, guessedRoc), packet, end)) {
            return null;
        }
        byte[] plain = new byte[end];
        System.arraycopy(packet, 0, plain, 0, header);
        keys.xor(packet, header, end, plain, index);
        window.take(index);
        return plain;
    }
}
