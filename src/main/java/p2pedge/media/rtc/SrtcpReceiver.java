package p2pedge.media.rtc;

import java.security.GeneralSecurityException;
import java.util.function.Consumer;

/**
 * SRTCP checking and decryption of the RTCP received under one sender SSRC (RFC 3711 section 3.4, either profile): a
 * replay window of the last {@link #REPLAY_WINDOW} SRTCP indices, the tag checked, the payload decrypted when the
 * E flag says it was encrypted, and the window moved on only by a packet that passed. It takes and refuses what
 * jitsi-srtp's receiver context does (SrtcpTest), without its cipher initialisation per packet. Not thread-safe.
 */
final class SrtcpReceiver {

    /** RTCP is never resent: RFC 3711's least window holds seconds of it. */
    static final int REPLAY_WINDOW = 64;

    private final SrtpCrypto crypto;
    /** From 0, as jitsi-srtp counts: index 0 is new as the first packet, and so is anything above it. */
    private final ReplayWindow window = new ReplayWindow(0, REPLAY_WINDOW);

    SrtcpReceiver(SrtpProfile profile, byte[] masterKey, byte[] masterSalt, int ssrc) throws GeneralSecurityException {
        this.crypto = SrtpCrypto.of(profile, masterKey, masterSalt, ssrc, SrtpCrypto.LABELS_RTCP);
    }

    /**
     * The plain compound RTCP packet, a new array; null when it is cut short, fails authentication or is a replay,
     * with why told to {@code refused}.
     */
    byte[] unprotect(byte[] packet, Consumer<SrtpRefusal> refused) throws GeneralSecurityException {
        if (packet.length < 8 + 4 + crypto.tagLength()) {
            refused.accept(SrtpRefusal.MALFORMED);
            return null;
        }
        int trailer = crypto.rtcpTrailer(packet);
        int index = trailer & ~SrtpCrypto.ENCRYPTED;
        if (!window.fresh(index)) {
            refused.accept(SrtpRefusal.REPLAYED);
            return null;
        }
        byte[] plain = crypto.unprotectRtcp(packet, trailer);
        if (plain == null) {
            refused.accept(SrtpRefusal.UNAUTHENTIC);
            return null;
        }
        window.take(index);
        return plain;
    }
}
