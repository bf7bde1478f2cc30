package p2pedge.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import p2pedge.config.EdgeConfig;
import p2pedge.http.SelfSignedCertificate;
import p2pedge.metrics.EdgeMetrics;
import p2pedge.testing.TestEdge;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code cluster.eventBusTls}: edges started as {@code Main} starts them exchange event-bus messages over mutual TLS;
 * a member of the same Hazelcast cluster without a certificate the CA vouches for (none, or another one) gets no
 * message through to them.
 */
@Tag("cluster")
class EventBusTlsTest {

    @Test
    void onlyMembersWithACertificateTheCaVouchesForReachTheEventBus(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cluster-cert.pem");
        Path key = dir.resolve("cluster-key.pem");
        SelfSignedCertificate.ensure(cert, key, List.of("localhost", "127.0.0.1"), Clock.systemUTC());
        Path otherCert = dir.resolve("other-cert.pem");
        Path otherKey = dir.resolve("other-key.pem");
        SelfSignedCertificate.ensure(otherCert, otherKey, List.of("localhost", "127.0.0.1"), Clock.systemUTC());
        JsonObject shared = tls(cert, key, cert);
        String name = "ebtls-" + UUID.randomUUID();
        List<Vertx> started = new ArrayList<>();
        try {
            Vertx a = start(name, shared, started);
            Vertx b = start(name, shared, started);
            b.eventBus().<String>consumer("ebtls.echo", m -> m.reply("pong " + m.body())).completion().await(10, TimeUnit.SECONDS);
            // The consumer's registration reaches the other members through Hazelcast first.
            String answer = null;
            for (int i = 0; i < 20 && answer == null; i++) {
                try {
                    answer = a.eventBus().<String>request("ebtls.echo", "a").await(3, TimeUnit.SECONDS).body();
                } catch (Exception notYet) {
                    Thread.sleep(250);
                }
            }
            assertEquals("pong a", answer, "an edge with the shared certificate reaches another");

            Vertx plain = start(name, new JsonObject().put("enabled", false), started);
            assertThrows(Exception.class, () -> plain.eventBus().request("ebtls.echo", "plain").await(5, TimeUnit.SECONDS),
                    "a member without TLS gets nothing through");
            Vertx stranger = start(name, tls(otherCert, otherKey, otherCert), started);
            assertThrows(Exception.class, () -> stranger.eventBus().request("ebtls.echo", "stranger").await(5, TimeUnit.SECONDS),
                    "a member whose certificate the CA does not vouch for gets nothing through");
            assertEquals("pong a2", a.eventBus().<String>request("ebtls.echo", "a2").await(5, TimeUnit.SECONDS).body(),
                    "the edges still talk");
        } finally {
            for (Vertx vertx : started) {
                vertx.close().await(30, TimeUnit.SECONDS);
            }
        }
    }

    private static JsonObject tls(Path cert, Path key, Path ca) {
        return new JsonObject().put("enabled", true).put("certFile", cert.toString()).put("keyFile", key.toString())
                .put("caFile", ca.toString());
    }

    private static Vertx start(String name, JsonObject eventBusTls, List<Vertx> started) throws Exception {
        EdgeConfig config = TestEdge.loadConfig(new JsonObject().put("cluster", new JsonObject().put("enabled", true)
                .put("name", name).put("port", 5921).put("members", "127.0.0.1:5921,127.0.0.1:5922,127.0.0.1:5923,127.0.0.1:5924")
                .put("eventBusTls", eventBusTls)));
        Vertx vertx = EdgeCluster.startVertx(config, EdgeMetrics.newRegistry()).await(60, TimeUnit.SECONDS).vertx();
        started.add(vertx);
        return vertx;
    }
}
