package p2pedge.media.rtc;

import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.SrtpPolicy;
import org.jitsi.srtp.crypto.Aes;
import org.jitsi.utils.logging2.Logger;
import org.jitsi.utils.logging2.LoggerImpl;

import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * SRTP and SRTCP for one direction of one DTLS-SRTP association (AES128_CM_HMAC_SHA1_80, RFC 3711), with a
 * crypto context per SSRC. {@code protect} for what this edge sends, {@code unprotect} for what it receives;
 * a packet that fails authentication or replay checks is refused, never passed on. Not thread-safe.
 */
public final class SrtpTransformer implements AutoCloseable {

    private static final int AUTH_TAG = 10;
    private static final int MAX_SSRCS = 16;
    private static final Logger LOGGER = new LoggerImpl(SrtpTransformer.class.getName());

    static {
        // Left to choose, jitsi-srtp benchmarks every AES provider on the thread of the first context made (an event
        // loop here): seconds on a busy machine. It picks the JDK's own (AES-NI intrinsics) here anyway.
        Aes.setFactoryClassName("org.jitsi.srtp.crypto.Aes$SunJCECipherFactory");
    }

    private final SrtpContextFactory factory;
    /** Whether this transformer protects RTP (SrtpSender) or checks it (SrtpReceiver); SRTCP is jitsi-srtp's both ways. */
    private final boolean sender;
    private final byte[] masterKey;
    private final byte[] masterSalt;
    private final Map<Integer, SrtpSender> senders = new HashMap<>();
    private final Map<Integer, SrtpReceiver> receivers = new HashMap<>();
    private final Map<Integer, SrtpCryptoContext> rtp = new HashMap<>();
    private final Map<Integer, SrtcpCryptoContext> rtcp = new HashMap<>();

    private SrtpTransformer(boolean sender, byte[] key, byte[] salt) {
        SrtpPolicy policy = new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, SrtpKeys.KEY_LENGTH,
                SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, AUTH_TAG, SrtpKeys.SALT_LENGTH);
        this.factory = new SrtpContextFactory(sender, key, salt, policy, policy, LOGGER);
        this.sender = sender;
        this.masterKey = key.clone();
        this.masterSalt = salt.clone();
    }

    /** What the DTLS server (the edge) sends: protected with the server's key. */
    public static SrtpTransformer forSending(SrtpKeys keys) {
        return new SrtpTransformer(true, keys.serverKey(), keys.serverSalt());
    }

    /** What the DTLS client (the player or publisher) sent: checked and decrypted with the client's key. */
    public static SrtpTransformer forReceiving(SrtpKeys keys) {
        return new SrtpTransformer(false, keys.clientKey(), keys.clientSalt());
    }

    /** The client's side (it answered with {@code a=setup:active}): what it sends, protected with the client's key. */
    public static SrtpTransformer forClientSending(SrtpKeys keys) {
        return new SrtpTransformer(true, keys.clientKey(), keys.clientSalt());
    }

    /** The client's side: what the server sent, checked and decrypted with the server's key. */
    public static SrtpTransformer forClientReceiving(SrtpKeys keys) {
        return new SrtpTransformer(false, keys.serverKey(), keys.serverSalt());
    }

    public Optional<byte[]> unprotectRtp(byte[] packet) {
        if (packet.length < 12 + AUTH_TAG) {
            return Optional.empty();
        }
        try {
            int ssrc = ssrc(packet, 8);
            SrtpReceiver receiver = receivers.get(ssrc);
            if (receiver == null) {
                requireRoom(receivers);
                receiver = new SrtpReceiver(masterKey, masterSalt, ssrc);
                receivers.put(ssrc, receiver);
            }
            return Optional.ofNullable(receiver.unprotect(packet));
        } catch (GeneralSecurityException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * As {@link #unprotectRtp}, through jitsi-srtp's receiver context: the reference SrtpReceiverTest holds it to. Not
     * for the edge's own path.
     */
    public Optional<byte[]> unprotectRtpByJitsi(byte[] packet) {
        if (packet.length < 12 + AUTH_TAG) {
            return Optional.empty();
        }
        try {
            ByteArraySlice buffer = new ByteArraySlice(packet, 0);
            SrtpErrorStatus status = rtpContext(ssrc(packet, 8)).reverseTransformPacket(buffer, false);
            return status == SrtpErrorStatus.OK ? Optional.of(buffer.toArray()) : Optional.empty();
        } catch (GeneralSecurityException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** {@code packet} protected, a new array (the fan-out's path: see {@link SrtpSender}). */
    public byte[] protectRtp(byte[] packet) throws GeneralSecurityException {
        if (!sender) {
            throw new IllegalStateException("protectRtp on a receiving transformer");
        }
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
        if (!sender) {
            throw new IllegalStateException("protection asked of a receiving transformer");
        }
        SrtpSender sender = senders.get(ssrc);
        if (sender == null) {
            requireRoom(senders);
            sender = new SrtpSender(masterKey, masterSalt, ssrc);
            senders.put(ssrc, sender);
        }
        return sender;
    }

    /**
     * As {@link #protectRtp}, through jitsi-srtp's sender context: the reference SrtpSenderTest holds it to, and
     * bench/forwarder-path.sh measures it beside. Not for the edge's own path.
     */
    public byte[] protectRtpByJitsi(byte[] packet) throws GeneralSecurityException {
        ByteArraySlice buffer = new ByteArraySlice(packet, AUTH_TAG + 4);
        SrtpErrorStatus status = rtpContext(ssrc(packet, 8)).transformPacket(buffer);
        if (status != SrtpErrorStatus.OK) {
            throw new GeneralSecurityException("SRTP protect failed: " + status);
        }
        return buffer.toArray();
    }

    public Optional<byte[]> unprotectRtcp(byte[] packet) {
        if (packet.length < 8 + 4 + AUTH_TAG) {
            return Optional.empty();
        }
        try {
            ByteArraySlice buffer = new ByteArraySlice(packet, 0);
            SrtpErrorStatus status = rtcpContext(ssrc(packet, 4)).reverseTransformPacket(buffer);
            return status == SrtpErrorStatus.OK ? Optional.of(buffer.toArray()) : Optional.empty();
        } catch (GeneralSecurityException | RuntimeException e) {
            return Optional.empty();
        }
    }

    public byte[] protectRtcp(byte[] packet) throws GeneralSecurityException {
        ByteArraySlice buffer = new ByteArraySlice(packet, AUTH_TAG + 4);
        rtcpContext(ssrc(packet, 4)).transformPacket(buffer);
        return buffer.toArray();
    }

    private SrtpCryptoContext rtpContext(int ssrc) throws GeneralSecurityException {
        SrtpCryptoContext context = rtp.get(ssrc);
        if (context == null) {
            requireRoom(rtp);
            context = factory.deriveContext(ssrc, 0);
            rtp.put(ssrc, context);
        }
        return context;
    }

    private SrtcpCryptoContext rtcpContext(int ssrc) throws GeneralSecurityException {
        SrtcpCryptoContext context = rtcp.get(ssrc);
        if (context == null) {
            requireRoom(rtcp);
            context = factory.deriveControlContext(ssrc);
            rtcp.put(ssrc, context);
        }
        return context;
    }

    /** A peer inventing SSRCs would otherwise grow a context per packet; real sessions use a handful. */
    private static void requireRoom(Map<Integer, ?> contexts) throws GeneralSecurityException {
        if (contexts.size() >= MAX_SSRCS) {
            throw new GeneralSecurityException("more than " + MAX_SSRCS + " SSRCs in one SRTP session");
        }
    }

    private static int ssrc(byte[] packet, int at) {
        return ((packet[at] & 0xFF) << 24) | ((packet[at + 1] & 0xFF) << 16) | ((packet[at + 2] & 0xFF) << 8) | (packet[at + 3] & 0xFF);
    }

    @Override
    public void close() {
        factory.close();
    }
}
