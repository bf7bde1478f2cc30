package p2pedge.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import p2pedge.testing.Waits;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The configuration's sources as an operator sets them, on an edge started as {@code java -jar} starts it: keys from
 * the environment (A_B_C) and from system properties (a.b.c, which win), an object-valued key as JSON from the
 * environment ({@code WHIP_TOKENS='{"live":"secret"}'}), and a key of an older release refused with its new name.
 */
class ConfigSourcesTest {

    @Test
    void environmentAndSystemPropertiesReachTheRunningEdge(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("edge.log");
        int port = Waits.freePort();
        ProcessBuilder builder = new ProcessBuilder("java", "-cp", System.getProperty("java.class.path"),
                "-Dmetrics.host=127.0.0.1", "-Dmetrics.port=0", "-Dmedia.forwarder.port=0", "-Dmedia.forwarder.stun.port=0",
                "-Dmetrics.adminTokenFile=" + dir.resolve("admin-token"), "-Dp2p.policy=ome", "p2pedge.Main")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("SIGNALLING_HOST", "127.0.0.1");
        env.put("SIGNALLING_PORT", Integer.toString(port));
        // The system property -Dmetrics.host=127.0.0.1 wins over this.
        env.put("METRICS_HOST", "0.0.0.0");
        env.put("MEDIA_ICECANDIDATEADDRESSES", "127.0.0.1");
        env.put("WHIP_TOKENS", "{\"live\":\"secret\"}");
        Process edge = builder.start();
        try {
            Waits.until(() -> Files.readString(log).contains(" ready:") || !edge.isAlive(), 60_000, "the edge logs that it is ready");
            String output = Files.readString(log);
            assertTrue(edge.isAlive(), "the edge runs: " + output);
            assertTrue(output.contains("signalling listening on 127.0.0.1:" + port), "SIGNALLING_PORT from the environment: " + output);
            assertTrue(output.contains("metrics on http://127.0.0.1:"), "the system property wins over METRICS_HOST: " + output);

            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertEquals(401, whip(http, port, "live", "wrong"), "WHIP_TOKENS took effect: app live needs its token");
            int withToken = whip(http, port, "live", "secret");
            assertNotEquals(401, withToken, "the token from WHIP_TOKENS lets the publisher past admission");
            assertNotEquals(403, withToken);
            assertEquals(401, whip(http, port, "live", null), "app live without its token");
            assertEquals(403, whip(http, port, "other", "secret"), "an app with no token of its own takes no publisher");
        } finally {
            edge.destroy();
            edge.waitFor();
        }
    }

    @Test
    void aKeyOfAnOlderReleaseStopsTheEdgeNamingItsNewName(@TempDir Path dir) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("java", "-cp", System.getProperty("java.class.path"), "p2pedge.Main")
                .directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().put("WHIP_RELAYIDLESECONDS", "10");
        Process edge = builder.start();
        String output = new String(edge.getInputStream().readAllBytes());
        assertEquals(2, edge.waitFor(), "exit code of a bad configuration: " + output);
        assertTrue(output.contains("the key is now 'pull.idleSeconds' (PULL_IDLESECONDS)"), output);
    }

    /** A WHIP POST to {@code app} with {@code token} (none when null) and an offer that is not SDP. */
    private static int whip(HttpClient http, int port, String app, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/" + app + "/cam"))
                .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString("not sdp"))
                .timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
