package p2pedge.media.rtc;

import java.security.GeneralSecurityException;
import java.util.function.Consumer;

/**
 * SRTP checking and decryption of the RTP of one SSRC received (RFC 3711, either profile): the packet index from its
 * sequence number and the rollover counter, the tag checked before anything else, a replay window of the last
 * {@link #REPLAY_WINDOW} indices, and the state moved on only by a packet that passed both. Its
 * {@link SrtpCrypto} is derived once (jitsi-srtp's receiver context, used before, initialised AES again for every
 * packet: a seventh of a load client's CPU, bench/media-plane.sh with a flight recording). Not thread-safe.
 */
final class SrtpReceiver {

    /**
     * How far behind the newest packet one is still taken: libwebrtc's receivers' window. A source resends what the edge
     * asked for on the same SSRC (without RTX), a round trip or more after the loss: 64 packets, RFC 3711's least,
     * are a quarter of a second of a 2.5 Mbit/s stream, less during a keyframe, and the resend would be refused.
     */
    static final int REPLAY_WINDOW = 1_024;

    private final SrtpCrypto crypto;
    /** From -1: the first packet is new whatever its index; its highest index gives the rollover counter too. */
    private final ReplayWindow window = new ReplayWindow(-1, REPLAY_WINDOW);

    SrtpReceiver(SrtpProfile profile, byte[] masterKey, byte[] masterSalt, int ssrc) throws GeneralSecurityException {
        this.crypto = SrtpCrypto.of(profile, masterKey, masterSalt, ssrc, SrtpCrypto.LABELS_RTP);
    }

    /**
     * The plain RTP packet, a new array; null when it is cut short, fails authentication or is a replay, each told to
     * {@code refused}.
     */
    byte[] unprotect(byte[] packet, Consumer<SrtpRefusal> refused) throws GeneralSecurityException {
        int end = packet.length - crypto.tagLength();
        int header = HeaderExtensions.blockEnd(packet);
        if (header < 0 || header > end) {
            refused.accept(SrtpRefusal.MALFORMED);
            return null;
        }
        long index = index(packet);
        if (!window.fresh(index)) {
            refused.accept(SrtpRefusal.REPLAYED);
            return null;
        }
        byte[] plain = new byte[end];
        if (!crypto.unprotectRtp(packet, header, end, plain, (int) (index >>> 16))) {
            refused.accept(SrtpRefusal.UNAUTHENTIC);
            return null;
        }
        window.take(index);
        return plain;
    }

    /** The packet's index: its sequence number under the rollover counter guessed from the highest index taken. */
    private long index(byte[] packet) {
        int sequence = SrtpCrypto.sequence(packet);
        long highest = window.highest();
        int guessedRoc = highest < 0 ? 0 : RolloverCounter.guess(sequence, (int) (highest & 0xFFFF), (int) (highest >> 16));
        return ((long) guessedRoc << 16) | sequence;
    }
}
