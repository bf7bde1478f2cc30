package p2pedge.media.rtc;

import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.SrtpPolicy;
import org.jitsi.srtp.crypto.Aes;
import org.jitsi.utils.logging2.LoggerImpl;

import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * jitsi-srtp (the SRTP of Jitsi Videobridge), one direction of one association as {@link SrtpTransformer} is: the
 * reference the edge's own SRTP and SRTCP are held to, byte for byte and decision for decision, and the one
 * bench/forwarder-path.sh measures beside it. Test code only; closes jitsi-srtp's contexts.
 */
public final class JitsiSrtp implements AutoCloseable {

    static {
        // Left to choose, jitsi-srtp benchmarks every AES provider first (seconds on a busy machine).
        Aes.setFactoryClassName("org.jitsi.srtp.crypto.Aes$SunJCECipherFactory");
    }

    private final SrtpContextFactory factory;
    private final Map<Integer, SrtpCryptoContext> rtp = new HashMap<>();
    private final Map<Integer, SrtcpCryptoContext> rtcp = new HashMap<>();

    private final int tag;

    private JitsiSrtp(boolean sender, SrtpProfile profile, byte[] key, byte[] salt) {
        SrtpPolicy policy = switch (profile) {
            case AES_CM_128_HMAC_SHA1_80 -> new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, profile.keyLength(),
                    SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, profile.tagLength(), profile.saltLength());
            case AEAD_AES_128_GCM -> new SrtpPolicy(SrtpPolicy.AESGCM_ENCRYPTION, profile.keyLength(),
                    SrtpPolicy.NULL_AUTHENTICATION, 0, profile.tagLength(), profile.saltLength());
        };
        this.tag = profile.tagLength();
        this.factory = new SrtpContextFactory(sender, key, salt, policy, policy, new LoggerImpl(JitsiSrtp.class.getName()));
    }

    /** As {@link SrtpTransformer#forSending}. */
    public static JitsiSrtp forSending(SrtpKeys keys) {
        return new JitsiSrtp(true, keys.profile(), keys.serverKey(), keys.serverSalt());
    }

    /** As {@link SrtpTransformer#forReceiving}. */
    public static JitsiSrtp forReceiving(SrtpKeys keys) {
        return new JitsiSrtp(false, keys.profile(), keys.clientKey(), keys.clientSalt());
    }

    public byte[] protectRtp(byte[] packet) throws GeneralSecurityException {
        ByteArraySlice buffer = new ByteArraySlice(packet, tag + 4);
        SrtpErrorStatus status = rtpContext(SrtpTransformer.ssrc(packet, 8)).transformPacket(buffer);
        if (status != SrtpErrorStatus.OK) {
            throw new GeneralSecurityException("SRTP protect failed: " + status);
        }
        return buffer.toArray();
    }

    public Optional<byte[]> unprotectRtp(byte[] packet) {
        if (packet.length < 12 + tag) {
            return Optional.empty();
        }
        try {
            ByteArraySlice buffer = new ByteArraySlice(packet, 0);
            SrtpErrorStatus status = rtpContext(SrtpTransformer.ssrc(packet, 8)).reverseTransformPacket(buffer, false);
            return status == SrtpErrorStatus.OK ? Optional.of(buffer.toArray()) : Optional.empty();
        } catch (GeneralSecurityException | RuntimeException e) {
            return Optional.empty();
        }
    }

    public byte[] protectRtcp(byte[] packet) throws GeneralSecurityException {
        ByteArraySlice buffer = new ByteArraySlice(packet, tag + 4);
        SrtpErrorStatus status = rtcpContext(SrtpTransformer.ssrc(packet, 4)).transformPacket(buffer);
        if (status != SrtpErrorStatus.OK) {
            throw new GeneralSecurityException("SRTCP protect failed: " + status);
        }
        return buffer.toArray();
    }

    public Optional<byte[]> unprotectRtcp(byte[] packet) {
        if (packet.length < 8) {
            return Optional.empty();
        }
        try {
            ByteArraySlice buffer = new ByteArraySlice(packet, 0);
            SrtpErrorStatus status = rtcpContext(SrtpTransformer.ssrc(packet, 4)).reverseTransformPacket(buffer);
            return status == SrtpErrorStatus.OK ? Optional.of(buffer.toArray()) : Optional.empty();
        } catch (GeneralSecurityException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private SrtpCryptoContext rtpContext(int ssrc) throws GeneralSecurityException {
        SrtpCryptoContext context = rtp.get(ssrc);
        if (context == null) {
            context = factory.deriveContext(ssrc, 0);
            rtp.put(ssrc, context);
        }
        return context;
    }

    private SrtcpCryptoContext rtcpContext(int ssrc) throws GeneralSecurityException {
        SrtcpCryptoContext context = rtcp.get(ssrc);
        if (context == null) {
            context = factory.deriveControlContext(ssrc);
            rtcp.put(ssrc, context);
        }
        return context;
    }

    @Override
    public void close() {
        factory.close();
    }
}
