package p2pedge.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The certificate the edge makes for local use: its names, its key's rights, kept while valid, renewed before it ends. */
class SelfSignedCertificateTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final List<String> NAMES = List.of("localhost", "127.0.0.1", "::1");

    private static Clock at(Instant instant) {
        return Clock.fixed(instant, ZoneOffset.UTC);
    }

    @Test
    void madeOnceForItsNamesWithAPrivateKeyThenKept(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("tls/cert.pem");
        Path key = dir.resolve("tls/key.pem");
        assertTrue(SelfSignedCertificate.ensure(cert, key, NAMES, at(NOW)), "made when missing");
        X509Certificate made = SelfSignedCertificate.read(cert);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)), "the key is its owner's alone");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key.getParent())));
        assertTrue(Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----"));
        List<String> sans = made.getSubjectAlternativeNames().stream().map(e -> String.valueOf(e.get(1))).toList();
        assertEquals(List.of("localhost", "127.0.0.1", "0:0:0:0:0:0:0:1"), sans);
        assertEquals(-1, made.getBasicConstraints(), "a leaf: trusting it trusts no certificate it could sign");
        made.verify(made.getPublicKey());

        assertFalse(SelfSignedCertificate.ensure(cert, key, NAMES, at(NOW.plus(Duration.ofDays(20)))), "kept while valid");
        assertEquals(made, SelfSignedCertificate.read(cert), "the same certificate (X509Certificate compares encodings)");
    }

    @Test
    void renewedBeforeItEndsOrWhenANameIsMissing(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        SelfSignedCertificate.ensure(cert, key, NAMES, at(NOW));
        X509Certificate first = SelfSignedCertificate.read(cert);
        Instant lastDay = NOW.plus(SelfSignedCertificate.VALIDITY).minus(Duration.ofHours(12));
        assertTrue(SelfSignedCertificate.ensure(cert, key, NAMES, at(lastDay)), "renewed on its last day");
        X509Certificate second = SelfSignedCertificate.read(cert);
        assertNotEquals(first, second);
        assertTrue(SelfSignedCertificate.ensure(cert, key, List.of("localhost", "192.0.2.7"), at(lastDay)),
                "made again for an address it does not name");
        assertTrue(SelfSignedCertificate.read(cert).getSubjectAlternativeNames().stream()
                .anyMatch(e -> "192.0.2.7".equals(e.get(1))));
    }
}
