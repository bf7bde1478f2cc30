package p2pedge.media.rtc;

import java.security.GeneralSecurityException;

/**
 * SRTCP checking and decryption of the RTCP received under one sender SSRC, AES_CM_128_HMAC_SHA1_80 (RFC 3711
 * section 3.4): a replay window of the last {@link ReplayWindow#SIZE} SRTCP indices, the tag checked, the payload decrypted when
 * the E flag says it was encrypted, and the window moved on only by a packet that passed. It takes and refuses what
 * jitsi-srtp's receiver context does (SrtcpTest), without its cipher initialisation per packet. Not thread-safe.
 */
final class SrtcpReceiver {

    private final SrtpKeystream keys;
    /** From 0, as jitsi-srtp counts: index 0 is new as the first packet, and so is anything above it. */
    private final ReplayWindow window = new ReplayWindow(0);

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
        if (!window.fresh(index)) {
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
        window.take(index);
        return plain;
    }
}
