package p2pedge;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.AutoPlayer;
import p2pedge.testing.Waits;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A clustered edge process on a machine of two cores (the JVM told so) does not start a thread for each of
 * Hazelcast's callbacks: players joining and leaving, each a few host-map writes, start next to no threads.
 */
@Tag("e2e")
@ExtendWith(VertxExtension.class)
class HazelcastCallbackThreadsTest {

    private static final int ROUNDS = 20;

    @Test
    void playersJoiningAClusteredEdgeStartNoThreadPerHazelcastCallback(Vertx vertx) throws Exception {
        int port = Waits.freePort();
        int clusterPort = Waits.freePort();
        Path log = Files.createTempFile("edge-callbacks", ".log");
        Process edge = new ProcessBuilder("java", "-XX:ActiveProcessorCount=2", "-cp", System.getProperty("java.class.path"),
                "-Dcluster.enabled=true", "-Dcluster.name=callbacks-" + UUID.randomUUID(), "-Dcluster.port=" + clusterPort,
                "-Dcluster.members=127.0.0.1:" + clusterPort, "-Dp2p.policy=ome", "-Dp2p.allowLoopbackCandidates=true", "-Dp2p.silentGiveUpSeconds=0",
                "-Dsignalling.host=127.0.0.1", "-Dsignalling.port=" + port, "-Dmetrics.host=127.0.0.1", "-Dmetrics.port=0", "-Dmedia.iceCandidateAddresses=127.0.0.1",
                "-Dmetrics.adminTokenFile=target/test-admin-token", "-Dmedia.forwarder.port=0", "-Dmedia.forwarder.stun.port=0",
                "-Dsignalling.maxSocketsPerAddress=0", "-Dsignalling.maxPendingOffersPerAddress=0", "-Dhttp.maxConnectionsPerAddress=0",
                "p2pedge.Main")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            try {
                Waits.untilListening(port, 90_000);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; the edge's output:\n" + Files.readString(log), e);
            }
            joinAndLeave(vertx, port, 2); // the pools the first players fill are not what is counted
            long before = threadsStarted(edge.pid());
            joinAndLeave(vertx, port, ROUNDS);
            long started = threadsStarted(edge.pid()) - before;
            // Each round is a host and two clients, each player several Hazelcast callbacks: with a thread per
            // callback these rounds started 564 threads (0 with the pool).
            assertTrue(started < ROUNDS, started + " threads started over " + ROUNDS + " rounds of 3 players; the edge's output:\n"
                    + Files.readString(log));
        } finally {
            edge.destroyForcibly();
            edge.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(log);
        }
    }

    private static void joinAndLeave(Vertx vertx, int port, int rounds) throws Exception {
        for (int i = 0; i < rounds; i++) {
            List<AutoPlayer> players = new ArrayList<>();
            try {
                AutoPlayer.hostWithClients(vertx, port, 2, players);
            } finally {
                players.forEach(AutoPlayer::close);
            }
        }
    }

    /** The JVM's count of threads ever started in process {@code pid} (its perf counter, read with jcmd). */
    private static long threadsStarted(long pid) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder("jcmd", Long.toString(pid), "PerfCounter.print").redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(jcmd.waitFor(30, TimeUnit.SECONDS), "jcmd ends");
        Matcher m = Pattern.compile("java\\.threads\\.started=(\\d+)").matcher(out);
        assertTrue(m.find(), "jcmd PerfCounter.print gives java.threads.started: " + out);
        return Long.parseLong(m.group(1));
    }
}
