package p2pedge.ops;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import p2pedge.testing.AdminClient;
import p2pedge.testing.Waits;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An edge started without metrics.adminToken makes one: its start-up log says where it is, never what it is (logs
 * are shipped and read far more widely than the edge's disk), and the file is readable by the edge's user alone.
 */
@Tag("e2e")
class AdminTokenFileTest {

    private static final Pattern METRICS_PORT = Pattern.compile("metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics");

    @Test
    void theMadeTokenGoesToAPrivateFileAndTheLogSaysWhereNotWhat() throws Exception {
        Path dir = Files.createTempDirectory("edge-admin-token");
        Path file = dir.resolve("state").resolve("admin-token");
        Path log = dir.resolve("edge.log");
        int port = Waits.freePort();
        Process edge = new ProcessBuilder("java", "-cp", System.getProperty("java.class.path"),
                "-Dsignalling.host=127.0.0.1", "-Dsignalling.port=" + port, "-Dmetrics.host=127.0.0.1", "-Dmetrics.port=0",
                "-Dmedia.iceCandidateAddresses=127.0.0.1", "-Dmedia.forwarder.port=0", "-Dmedia.forwarder.stun.port=0", "-Dmetrics.adminTokenFile=" + file,
                "p2pedge.Main")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Waits.until(() -> Files.readString(log).contains(" ready:"), 60_000, "the edge logs that it is ready");
            String output = Files.readString(log);
            System.out.println(output.lines().filter(l -> l.contains(" ready:")).findFirst().orElse(""));
            assertTrue(Files.exists(file), "the made token is written to metrics.adminTokenFile: " + output);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)),
                    "readable and writable by the edge's user alone");
            String token = Files.readString(file).trim();
            assertTrue(token.length() >= 32, "a long random token: " + token.length() + " characters");
            assertFalse(output.contains(token), "the log does not show the token: " + output);
            assertTrue(output.contains(file.toString()), "the log says where it is: " + output);

            Matcher metrics = METRICS_PORT.matcher(output);
            assertTrue(metrics.find(), output);
            int metricsPort = Integer.parseInt(metrics.group(1));
            assertEquals(200, AdminClient.call(metricsPort, "GET", "/admin/streams", token).statusCode(),
                    "the file's token is the admin API's");
            assertEquals(401, AdminClient.call(metricsPort, "GET", "/admin/streams", "x" + token).statusCode());
        } finally {
            edge.destroy();
            if (!edge.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                edge.destroyForcibly();
            }
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
