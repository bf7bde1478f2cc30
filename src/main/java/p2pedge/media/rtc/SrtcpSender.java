package p2pedge.media.rtc;

import java.security.GeneralSecurityException;

/**
 * SRTCP protection of the RTCP the edge sends under one sender SSRC, AES_CM_128_HMAC_SHA1_80 (RFC 3711 section 3.4):
 * everything after the first 8 bytes encrypted under the packet's SRTCP index, then the E flag with the index, then
 * the tag over all of it. Through its {@link SrtpKeystream}: no cipher initialised per packet (jitsi-srtp's context,
 * used before, initialised AES again for every one). The same bytes as jitsi-srtp's sender context (SrtcpTest).
 * Not thread-safe.
 */
final class SrtcpSender {

    /** The E flag (the packet is encrypted) above the 31-bit index. */
    static final int ENCRYPTED = 0x8000_0000;

    private final SrtpKeystream keys;
    private int index;

    SrtcpSender(byte[] masterKey, byte[] masterSalt, int ssrc) throws GeneralSecurityException {
        this.keys = SrtpKeystream.forRtcp(masterKey, masterSalt, ssrc);
    }

    /** {@code packet} (plain compound RTCP, this sender's SSRC) protected: a new array, index and tag appended. */
    byte[] protect(byte[] packet) throws GeneralSecurityException {
        if (packet.length < 8) {
            throw new GeneralSecurityException("not an RTCP packet: " + packet.length + " bytes");
        }
        int length = packet.length;
        byte[] out = new byte[length + 4 + SrtpKeystream.AUTH_TAG];
        System.arraycopy(packet, 0, out, 0, 8);
        keys.xor(packet, 8, length, out, index);
        int word = ENCRYPTED | index;
        out[length] = (byte) (word >>> 24);
        out[length + 1] = (byte) (word >>> 16);
        out[length + 2] = (byte) (word >>> 8);
        out[length + 3] = (byte) word;
        System.arraycopy(keys.tag(out, length + 4), 0, out, length + 4, SrtpKeystream.AUTH_TAG);
        index = (index + 1) & ~ENCRYPTED;
        return out;
    }
}
