package p2pedge.media.rtc;

import java.security.GeneralSecurityException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * SRTP and SRTCP for one direction of one DTLS-SRTP association, in the profile it negotiated ({@link SrtpProfile}),
 * with the keys of each SSRC derived once: {@code protect} for what this side sends, {@code unprotect} for what it receives; a packet
 * that fails authentication or replay checks is refused, never passed on. The edge's own code, held to jitsi-srtp
 * (a test dependency only) byte for byte and decision for decision by SrtpSenderTest, SrtpReceiverTest and
 * SrtcpTest. Holds nothing native: dropping it is enough. Not thread-safe.
 */
public final class SrtpTransformer {

    /** Whether this transformer protects what it is given or checks it. */
    private final boolean sender;
    private final SrtpProfile profile;
    private final byte[] masterKey;
    private final byte[] masterSalt;
    private final SsrcTable<SrtpSender> senders;
    private final SsrcTable<SrtpReceiver> receivers;
    private final SsrcTable<SrtcpSender> controlSenders;
    private final SsrcTable<SrtcpReceiver> controlReceivers;

    private SrtpTransformer(boolean sender, SrtpProfile profile, byte[] key, byte[] salt) {
        this.sender = sender;
        this.profile = profile;
        this.masterKey = key.clone();
        this.masterSalt = salt.clone();
        this.senders = new SsrcTable<>(ssrc -> new SrtpSender(profile, masterKey, masterSalt, ssrc));
        this.receivers = new SsrcTable<>(ssrc -> new SrtpReceiver(profile, masterKey, masterSalt, ssrc));
        this.controlSenders = new SsrcTable<>(ssrc -> new SrtcpSender(profile, masterKey, masterSalt, ssrc));
        this.controlReceivers = new SsrcTable<>(ssrc -> new SrtcpReceiver(profile, masterKey, masterSalt, ssrc));
    }

    /** What the DTLS server (the edge) sends: protected with the server's key. */
    public static SrtpTransformer forSending(SrtpKeys keys) {
        return new SrtpTransformer(true, keys.profile(), keys.serverKey(), keys.serverSalt());
    }

    /** What the DTLS client (the player or publisher) sent: checked and decrypted with the client's key. */
    public static SrtpTransformer forReceiving(SrtpKeys keys) {
        return new SrtpTransformer(false, keys.profile(), keys.clientKey(), keys.clientSalt());
    }

    /** The client's side (it answered with {@code a=setup:active}): what it sends, protected with the client's key. */
    public static SrtpTransformer forClientSending(SrtpKeys keys) {
        return new SrtpTransformer(true, keys.profile(), keys.clientKey(), keys.clientSalt());
    }

    /** The client's side: what the server sent, checked and decrypted with the server's key. */
    public static SrtpTransformer forClientReceiving(SrtpKeys keys) {
        return new SrtpTransformer(false, keys.profile(), keys.serverKey(), keys.serverSalt());
    }

    public Optional<byte[]> unprotectRtp(byte[] packet) {
        return unprotectRtp(packet, refusal -> { });
    }

    /** The plain packet, or empty with why it was refused told to {@code refused} (once). */
    public Optional<byte[]> unprotectRtp(byte[] packet, Consumer<SrtpRefusal> refused) {
        return unprotect(packet, 12, 8, receivers, SrtpReceiver::unprotect, refused);
    }

    /** {@code packet} protected, a new array (the fan-out's path: see {@link SrtpSender}). */
    public byte[] protectRtp(byte[] packet) throws GeneralSecurityException {
        if (packet.length < 12) {
            throw new GeneralSecurityException("not an RTP packet: " + packet.length + " bytes");
        }
        return senderFor(ssrc(packet, 8)).protect(packet);
    }

    /**
     * The protection of one SSRC's packets, for a caller that sends on one SSRC to keep (the fan-out): no map lookup and
     * no boxed key per packet (16 bytes less allocated per viewer packet, bench/forwarder-path.sh; its CPU did not
     * measurably change, though a flight recording had put a fifth of the fan-out's own samples on the lookup: the
     * viewer's state is as cold in the cache without it).
     */
    SrtpSender senderFor(int ssrc) throws GeneralSecurityException {
        requireSender();
        return known(senders.get(ssrc), ssrc);
    }

    public Optional<byte[]> unprotectRtcp(byte[] packet) {
        return unprotectRtcp(packet, refusal -> { });
    }

    /** The plain compound RTCP packet, or empty with why it was refused told to {@code refused} (once). */
    public Optional<byte[]> unprotectRtcp(byte[] packet, Consumer<SrtpRefusal> refused) {
        return unprotect(packet, 8 + 4, 4, controlReceivers, SrtcpReceiver::unprotect, refused);
    }

    /** How one SSRC's receiver checks and decrypts what it got ({@link SrtpReceiver}, {@link SrtcpReceiver}). */
    private interface Check<R> {
        byte[] unprotect(R receiver, byte[] packet, Consumer<SrtpRefusal> refused) throws GeneralSecurityException;
    }

    /**
     * {@code packet} (a header of at least {@code headerLength} bytes before the tag, its sender's SSRC at
     * {@code ssrcAt}) checked by that SSRC's receiver: plain, or empty with why it was refused told once.
     */
    private <R> Optional<byte[]> unprotect(byte[] packet, int headerLength, int ssrcAt, SsrcTable<R> table, Check<R> check,
                                           Consumer<SrtpRefusal> refused) {
        if (packet.length < headerLength + profile.tagLength()) {
            refused.accept(SrtpRefusal.MALFORMED);
            return Optional.empty();
        }
        try {
            R receiver = table.get(ssrc(packet, ssrcAt));
            if (receiver == null) {
                refused.accept(SrtpRefusal.SSRC_LIMIT);
                return Optional.empty();
            }
            return Optional.ofNullable(check.unprotect(receiver, packet, refused));
        } catch (GeneralSecurityException | RuntimeException e) {
            refused.accept(SrtpRefusal.MALFORMED);
            return Optional.empty();
        }
    }

    /** {@code packet} (compound RTCP, its first packet's SSRC the sender's) protected: a new array. */
    public byte[] protectRtcp(byte[] packet) throws GeneralSecurityException {
        requireSender();
        if (packet.length < 8) {
            throw new GeneralSecurityException("not an RTCP packet: " + packet.length + " bytes");
        }
        int ssrc = ssrc(packet, 4);
        return known(controlSenders.get(ssrc), ssrc).protect(packet);
    }

    /** The profile negotiated: how many bytes protection adds to a packet ({@link SrtpProfile#tagLength}). */
    public SrtpProfile profile() {
        return profile;
    }

    private void requireSender() {
        if (!sender) {
            throw new IllegalStateException("protection asked of a receiving transformer");
        }
    }

    /** The edge sends on a handful of SSRCs of its own: one past the table's bound is a fault, not a peer's doing. */
    private static <T> T known(T state, int ssrc) throws GeneralSecurityException {
        if (state == null) {
            throw new GeneralSecurityException("more than " + SsrcTable.MAX + " SSRCs in one SRTP session: " + ssrc);
        }
        return state;
    }

    static int ssrc(byte[] packet, int at) {
        return SrtpCrypto.getInt(packet, at);
    }
}
