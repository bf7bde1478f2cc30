package p2pedge.media.rtc;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

import java.io.IOException;
import java.util.Hashtable;
import java.util.Locale;
import java.util.List;
import java.util.Optional;
import java.util.Vector;
import java.util.function.Consumer;

/**
 * The edge's side of a DTLS 1.2 handshake for DTLS-SRTP (RFC 5764): ECDSA certificate, mutual
 * authentication (the player's certificate must match the fingerprint of its SDP), the use_srtp extension (the
 * first profile of the edge's preference that the player offered), and the SRTP master keys exported when the
 * handshake completes.
 */
public final class DtlsSrtpServer extends DefaultTlsServer {

    private static final SignatureAndHashAlgorithm ECDSA_SHA256 =
            SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);

    private final BcTlsCrypto crypto;
    private final DtlsCertificate identity;
    private final String expectedPeerFingerprint;
    private final Consumer<SrtpKeys> onKeys;
    private final List<SrtpProfile> preference;
    private SrtpProfile profile;

    /**
     * @param expectedPeerFingerprint the {@code a=fingerprint:sha-256} of the player's SDP (upper-case hex)
     * @param onKeys                  receives the SRTP keys, on the handshake's thread
     */
    public DtlsSrtpServer(BcTlsCrypto crypto, DtlsCertificate identity, String expectedPeerFingerprint, Consumer<SrtpKeys> onKeys) {
        this(crypto, identity, expectedPeerFingerprint, SrtpProfile.PREFERENCE, onKeys);
    }

    /** @param preference the SRTP profiles the edge takes, the one it prefers first */
    public DtlsSrtpServer(BcTlsCrypto crypto, DtlsCertificate identity, String expectedPeerFingerprint,
                          List<SrtpProfile> preference, Consumer<SrtpKeys> onKeys) {
        super(crypto);
        this.preference = List.copyOf(preference);
        this.crypto = crypto;
        this.identity = identity;
        this.expectedPeerFingerprint = expectedPeerFingerprint.toUpperCase(Locale.ROOT);
        this.onKeys = onKeys;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.DTLSv12.only();
    }

    /** A peer that stalls mid-handshake must not hold a handshake thread for longer than this. */
    @Override
    public int getHandshakeTimeoutMillis() {
        return 10_000;
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return new int[]{
                CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256};
    }

    @Override
    protected TlsCredentialedSigner getECDSASignerCredentials() {
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, identity.privateKey(),
                identity.certificate(), ECDSA_SHA256);
    }

    @Override
    public void processClientExtensions(Hashtable clientExtensions) throws IOException {
        super.processClientExtensions(clientExtensions);
        UseSRTPData offered = TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
        profile = (offered == null ? Optional.<SrtpProfile>empty() : SrtpProfile.choose(preference, offered.getProtectionProfiles()))
                .orElseThrow(() -> new TlsFatalAlert(AlertDescription.handshake_failure, "no SRTP profile in common"));
    }

    @Override
    public Hashtable getServerExtensions() throws IOException {
        Hashtable extensions = super.getServerExtensions();
        TlsSRTPUtils.addUseSRTPExtension(extensions, new UseSRTPData(new int[]{profile.id()}, TlsUtils.EMPTY_BYTES));
        return extensions;
    }

    /** WebRTC authenticates both ends: ask for the player's certificate. */
    @Override
    public CertificateRequest getCertificateRequest() {
        Vector<SignatureAndHashAlgorithm> algorithms = new Vector<>();
        algorithms.add(ECDSA_SHA256);
        algorithms.add(SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.rsa));
        return new CertificateRequest(new short[]{ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign},
                algorithms, null);
    }

    @Override
    public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
        DtlsCertificate.checkPeer(clientCertificate, expectedPeerFingerprint);
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        onKeys.accept(SrtpKeys.exportedBy(context, profile));
    }
}
