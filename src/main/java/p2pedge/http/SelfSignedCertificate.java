package p2pedge.http;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A self-signed TLS certificate for local use (a developer's machine, a test): made on request, kept in two PEM
 * files (the key readable by its owner alone), reused while it has more than a day to live, so that a browser told
 * to trust it once keeps trusting it. Never a substitute for a certificate of a real authority on the internet.
 */
public final class SelfSignedCertificate {

    static final Duration VALIDITY = Duration.ofDays(30);
    static final Duration RENEW_BEFORE = Duration.ofDays(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    private SelfSignedCertificate() {
    }

    /**
     * Makes sure {@code certFile} holds a certificate for {@code names} (host names and IP literals) that is valid
     * for at least another day, with its key in {@code keyFile}; makes a new pair otherwise. Blocking file work.
     *
     * @return whether a new certificate was made
     */
    public static boolean ensure(Path certFile, Path keyFile, List<String> names, Clock clock) throws IOException {
        if (Files.exists(certFile) && Files.exists(keyFile)) {
            X509Certificate existing = read(certFile);
            Set<String> covered = subjectNames(existing);
            if (existing.getNotAfter().toInstant().isAfter(clock.instant().plus(RENEW_BEFORE))
                    && covered.containsAll(names.stream().map(SelfSignedCertificate::canonical).toList())) {
                return false;
            }
        }
        write(certFile, keyFile, names, clock.instant());
        return true;
    }

    /** The certificate in {@code certFile}. */
    public static X509Certificate read(Path certFile) throws IOException {
        try (var in = new ByteArrayInputStream(Files.readAllBytes(certFile))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (CertificateException e) {
            throw new IOException(certFile + " holds no PEM certificate: " + e.getMessage(), e);
        }
    }

    /** SHA-256 of the certificate's public key (SubjectPublicKeyInfo), base64: what Chromium's SPKI trust list takes. */
    public static String spkiSha256(X509Certificate certificate) {
        return Base64.getEncoder().encodeToString(sha256(certificate.getPublicKey().getEncoded()));
    }

    private static Set<String> subjectNames(X509Certificate certificate) throws IOException {
        Set<String> names = new LinkedHashSet<>();
        try {
            if (certificate.getSubjectAlternativeNames() != null) {
                certificate.getSubjectAlternativeNames().forEach(entry -> names.add(canonical(String.valueOf(entry.get(1)))));
            }
        } catch (CertificateException e) {
            throw new IOException(e);
        }
        return names;
    }

    private static void write(Path certFile, Path keyFile, List<String> names, Instant now) throws IOException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            KeyPair keys = generator.generateKeyPair();
            X500Name subject = new X500Name("CN=p2p-edge self-signed (local use)");
            var builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, RANDOM).abs(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), subject, keys.getPublic());
            GeneralName[] alternatives = names.stream()
                    .map(n -> new GeneralName(isIp(n) ? GeneralName.iPAddress : GeneralName.dNSName, n))
                    .toArray(GeneralName[]::new);
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternatives));
            // A leaf for servers only: it cannot sign other certificates, so trusting it trusts nothing else.
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            byte[] der = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())).getEncoded();
            writePem(keyFile, "PRIVATE KEY", keys.getPrivate().getEncoded());
            writePem(certFile, "CERTIFICATE", der);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot make a self-signed certificate: " + e.getMessage(), e);
        }
    }

    /** Written to a private temporary file then moved in place, so a reader never sees half a file. */
    private static void writePem(Path file, String type, byte[] der) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        String pem = "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
        Path temp = Files.createTempFile(dir, ".tls", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(temp, pem, StandardCharsets.US_ASCII);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static boolean isIp(String name) {
        return name.matches("[0-9.]+") || name.contains(":");
    }

    /** One spelling per name: IP literals as Java prints them ({@code ::1} is read back as {@code 0:0:0:0:0:0:0:1}). */
    private static String canonical(String name) {
        if (!isIp(name)) {
            return name.toLowerCase(java.util.Locale.ROOT);
        }
        try {
            return java.net.InetAddress.getByName(name).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            return name;
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
