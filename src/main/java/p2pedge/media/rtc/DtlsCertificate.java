package p2pedge.media.rtc;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;

/**
 * The edge's DTLS identity: a self-signed ECDSA P-256 certificate made at start, as browsers make theirs.
 * Peers authenticate it by the SHA-256 fingerprint the edge puts in its SDP, not by any CA.
 */
public final class DtlsCertificate {

    private final Certificate certificate;
    private final AsymmetricKeyParameter privateKey;
    private final String fingerprint;

    private DtlsCertificate(Certificate certificate, AsymmetricKeyParameter privateKey, String fingerprint) {
        this.certificate = certificate;
        this.privateKey = privateKey;
        this.fingerprint = fingerprint;
    }

    public static DtlsCertificate generate(BcTlsCrypto crypto) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair keys = generator.generateKeyPair();
            X500Name name = new X500Name("CN=p2p-edge");
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(64, new SecureRandom()).abs(), Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(Duration.ofDays(30))), name, keys.getPublic());
            byte[] der = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())).getEncoded();
            Certificate chain = new Certificate(new TlsCertificate[]{new BcTlsCertificate(crypto, der)});
            return new DtlsCertificate(chain, PrivateKeyFactory.createKey(keys.getPrivate().getEncoded()), fingerprintOf(der));
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create the DTLS certificate", e);
        }
    }

    /**
     * Fails the handshake unless the peer presented a certificate whose fingerprint is the one its SDP announced
     * (both DTLS roles check this).
     */
    static void checkPeer(Certificate chain, String expectedFingerprint) throws IOException {
        if (chain == null || chain.isEmpty()) {
            throw new TlsFatalAlert(AlertDescription.certificate_required);
        }
        if (!fingerprintOf(chain.getCertificateAt(0).getEncoded()).equals(expectedFingerprint)) {
            throw new TlsFatalAlert(AlertDescription.bad_certificate,
                    "certificate does not match the SDP fingerprint");
        }
    }

    /** {@code AB:CD:...}, the form of SDP's {@code a=fingerprint:sha-256}. */
    public static String fingerprintOf(byte[] der) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(der);
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    public Certificate certificate() {
        return certificate;
    }

    public AsymmetricKeyParameter privateKey() {
        return privateKey;
    }

    public String fingerprint() {
        return fingerprint;
    }
}
