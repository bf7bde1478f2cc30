package p2pedge;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.SignallingClient;
import p2pedge.testing.Waits;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SIGTERM on a real edge process with a player attached: sockets closed, natives disposed, no crash. */
@Tag("e2e")
@ExtendWith(VertxExtension.class)
class ShutdownTest {

    @Test
    void sigtermClosesPlayersAndDisposesNativesWithoutCrashing(Vertx vertx) throws Exception {
        int port = Waits.freePort();
        Path log = Files.createTempFile("edge-shutdown", ".log");
        Process edge = new ProcessBuilder("java", "-cp", System.getProperty("java.class.path"),
                "-Dsignalling.host=127.0.0.1", "-Dsignalling.port=" + port, "-Dmetrics.port=0", "-Dmedia.iceCandidateAddresses=127.0.0.1",
                "-Dmetrics.adminTokenFile=target/test-admin-token",
                // Any free media and STUN ports: the shipped fixed ones may still be held by an edge another test ended.
                "-Dmedia.forwarder.port=0", "-Dmedia.forwarder.stun.port=0", "p2pedge.Main")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            try {
                Waits.untilListening(port, 60_000);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; the edge's output:\n" + Files.readString(log), e);
            }
            try (SignallingClient player = SignallingClient.connect(vertx, port, "/app/stream")) {
                player.requestOffer();
                edge.destroy(); // SIGTERM
                assertTrue(edge.waitFor(30, TimeUnit.SECONDS), "the edge exits");
                assertEquals((short) 1001, player.awaitClose(Duration.ofSeconds(5)).code(), "players are told the edge is going away");
            }
            String output = Files.readString(log);
            assertEquals(143, edge.exitValue(), "exit by SIGTERM, not by a crash: " + output);
            assertTrue(output.contains("closed 1 player session(s)"), output);
            assertTrue(output.contains("media stopped"), output);
            assertTrue(output.contains("stopped cleanly"), output);
            for (String crash : List.of("SIGSEGV", "Fatal error", "hs_err", "Check failed")) {
                assertFalse(output.contains(crash), output);
            }
        } finally {
            edge.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }
}
