package p2pedge.media.rtc;

import java.security.GeneralSecurityException;

/**
 * SRTCP checking and decryption of the RTCP received under one sender SSRC, AES_CM_128_HMAC_SHA1_80 (RFC 3711
 * section 3.4): a replay window of the last {@link #WINDOW} SRTCP indices, the tag checked, the payload decrypted when
 * the E flag says it was encrypted, and the window moved on only by a packet that passed. It takes and refuses what
 * jitsi-srtp's receiver context does (SrtcpTest), without its cipher initialisation per packet. Not thread-safe.
 */
final class SrtcpReceiver {

    static final int WINDOW = 64;

    private final SrtpKeystream keys;
    /** The highest index taken (0 before the first, as jitsi-srtp: index 0 is then new) and bit i: (highest - i) taken. */
    private int highest;
    private long seen;

    SrtcpReceiver(byte[] masterKey, byte[] masterSalt, int ssrc) throws GeneralSecurityException {
        this.keys = SrtpKeystream.forRtcp(masterKey, masterSalt, ssrc);
    }

    /** The plain compound RTCP packet, a new array; null when it is cut short, fails authentication or is a replay. */
    byte[] unprotect(byte[] packet) throws GeneralSecurityException {
        if (packet.length < 8 + 4 + SrtpKeystream.AUTH_TAG) {
            return null;
        }
        int end = packet.length - SrtpKeystream.AUTH_TAG;
        int word = ((packet[end - 4] & 0xFF) << 24) | ((packet[end - 3] & 0xFF) << 16) | ((packet[end - 2] & 0xFF) << 8)
                | (packet[end - 1] & 0xFF);
        int index = word & ~SrtcpSender.ENCRYPTED;
        int behind = highest - index;
        if (behind >= WINDOW || (behind >= 0 && (seen & (1L << behind)) != 0)) {
            return null;
        }
        if (!SrtpKeystream.sameTag(keys.tag(packet, end), packet, end)) {
            return null;
        }
        byte[] plain = new byte[end - 4];
        if ((word & SrtcpSender.ENCRYPTED) != 0) {
            System.arraycopy(packet, 0, plain, 0, 8);
            keys.xor(packet, 8, end - 4, plain, index);
        } else {
            System.arraycopy(packet, 0, plain, 0, plain.length); // authenticated but sent in the clear (E flag 0)
        }
        if (behind < 0) {
            seen = -behind >= WINDOW ? 1 : (seen << -behind) | 1;
            highest = index;
        } else {
            seen |= 1L << behind;
        }
        return plain;
    }
}
