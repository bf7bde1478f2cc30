package p2pedge.media.rtc;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ExtensionType;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

import java.io.IOException;
import java.util.Hashtable;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The client's side of a DTLS 1.2 handshake for DTLS-SRTP, for when this process answers someone else's offer
 * ({@code a=setup:active}): it offers use_srtp with every profile it speaks ({@link SrtpProfile#PREFERENCE}), presents its own ECDSA certificate,
 * accepts the server only if its certificate matches the fingerprint of the server's SDP, and exports the SRTP
 * keys when the handshake completes. The counterpart of {@link DtlsSrtpServer}.
 */
public final class DtlsSrtpClient extends DefaultTlsClient {

    private static final SignatureAndHashAlgorithm ECDSA_SHA256 =
            SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);
    private static final int HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    private final BcTlsCrypto crypto;
    private final DtlsCertificate identity;
    private final String expectedServerFingerprint;
    private final Consumer<SrtpKeys> onKeys;
    private SrtpProfile chosen;

    /**
     * @param expectedServerFingerprint the {@code a=fingerprint:sha-256} of the server's SDP
     * @param onKeys                    receives the SRTP keys, on the handshake's thread
     */
    public DtlsSrtpClient(BcTlsCrypto crypto, DtlsCertificate identity, String expectedServerFingerprint, Consumer<SrtpKeys> onKeys) {
        super(crypto);
        this.crypto = crypto;
        this.identity = identity;
        this.expectedServerFingerprint = expectedServerFingerprint.toUpperCase(Locale.ROOT);
        this.onKeys = onKeys;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return new int[]{
                CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256};
    }

    @Override
    public int getHandshakeTimeoutMillis() {
        return HANDSHAKE_TIMEOUT_MILLIS;
    }

    @Override
    public Hashtable getClientExtensions() throws IOException {
        Hashtable extensions = TlsExtensionsUtils.ensureExtensionsInitialised(super.getClientExtensions());
        TlsSRTPUtils.addUseSRTPExtension(extensions,
                new UseSRTPData(SrtpProfile.PREFERENCE.stream().mapToInt(SrtpProfile::id).toArray(), TlsUtils.EMPTY_BYTES));
        return extensions;
    }

    @Override
    public void processServerExtensions(Hashtable serverExtensions) throws IOException {
        // use_srtp is ours to offer; the base class would call it unexpected.
        UseSRTPData answer = TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
        if (answer == null || answer.getProtectionProfiles().length != 1) {
            throw new TlsFatalAlert(AlertDescription.illegal_parameter, "server chose no SRTP profile");
        }
        chosen = SrtpProfile.choose(SrtpProfile.PREFERENCE, answer.getProtectionProfiles())
                .orElseThrow(() -> new TlsFatalAlert(AlertDescription.illegal_parameter, "server chose an SRTP profile not offered"));
    }

    @Override
    protected boolean allowUnexpectedServerExtension(Integer extensionType, byte[] extensionData) throws IOException {
        return extensionType == ExtensionType.use_srtp
                || super.allowUnexpectedServerExtension(extensionType, extensionData);
    }

    @Override
    public TlsAuthentication getAuthentication() {
        return new TlsAuthentication() {
            @Override
            public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                DtlsCertificate.checkPeer(serverCertificate.getCertificate(), expectedServerFingerprint);
            }

            @Override
            public TlsCredentials getClientCredentials(CertificateRequest request) {
                return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, identity.privateKey(),
                        identity.certificate(), ECDSA_SHA256);
            }
        };
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        onKeys.accept(SrtpKeys.exportedBy(context, chosen));
    }
}
