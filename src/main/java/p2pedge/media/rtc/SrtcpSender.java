package p2pedge.media.rtc;

import java.security.GeneralSecurityException;

/**
 * SRTCP protection of the RTCP the edge sends under one sender SSRC (RFC 3711 section 3.4, either profile): each
 * packet encrypted under the next SRTCP index, which it carries with the E flag. Its {@link SrtpCrypto} is derived
 * once (jitsi-srtp's context, used before, initialised AES again for every packet). The same bytes as jitsi-srtp's
 * sender context (SrtcpTest). Not thread-safe.
 */
final class SrtcpSender {

    private final SrtpCrypto crypto;
    private int index;

    SrtcpSender(SrtpProfile profile, byte[] masterKey, byte[] masterSalt, int ssrc) throws GeneralSecurityException {
        this.crypto = SrtpCrypto.of(profile, masterKey, masterSalt, ssrc, SrtpCrypto.LABELS_RTCP);
    }

    /** {@code packet} (plain compound RTCP, this sender's SSRC) protected: a new array, index and tag added. */
    byte[] protect(byte[] packet) throws GeneralSecurityException {
        if (packet.length < 8) {
            throw new GeneralSecurityException("not an RTCP packet: " + packet.length + " bytes");
        }
        byte[] out = crypto.protectRtcp(packet, index);
        index = (index + 1) & ~SrtpCrypto.ENCRYPTED;
        return out;
    }
}
