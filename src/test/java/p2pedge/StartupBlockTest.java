package p2pedge;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import p2pedge.config.EdgeConfig;
import p2pedge.testing.TestEdge;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The block the edge logs when ready names the URLs with the scheme each port really speaks, and the policies. */
class StartupBlockTest {

    private static String block(JsonObject overrides, Map<String, String> fingerprints) throws Exception {
        EdgeConfig config = TestEdge.loadConfig(overrides.put("signalling", overrides.getJsonObject("signalling", new JsonObject())
                .put("host", "0.0.0.0")));
        return StartupBlock.render(config, new StartupBlock.Facts("edge-1", 3333, 9333,
                Optional.of(Path.of("/srv/edge/data/admin-token")), 1, fingerprints));
    }

    @Test
    void plainPortsShowHttpAndWs() throws Exception {
        String block = block(new JsonObject(), Map.of());
        System.out.println(block);
        assertTrue(block.startsWith("edge edge-1 ready:"), block);
        assertTrue(block.contains("player       http://localhost:3333/?stream=app/stream"), block);
        assertTrue(block.contains("ws://localhost:3333/app/stream"), block);
        assertTrue(block.contains("http://127.0.0.1:9333/metrics"), block);
        assertTrue(block.contains("admission    off"), block);
        assertTrue(block.contains("TLS          off"), block);
        assertTrue(block.contains("in /srv/edge/data/admin-token"), "names the admin token's file: " + block);
        assertTrue(block.contains("cluster      standalone"), block);
    }

    @Test
    void tlsPortsShowHttpsWssAndTheCertificate() throws Exception {
        JsonObject tls = new JsonObject().put("enabled", true).put("certFile", "/etc/edge/cert.pem").put("keyFile", "/etc/edge/key.pem");
        String block = block(new JsonObject().put("signalling", new JsonObject().put("tls", tls))
                        .put("metrics", new JsonObject().put("tls", tls.copy()))
                        .put("p2p", new JsonObject().put("enabled", false)),
                Map.of("/etc/edge/cert.pem", "AB:CD"));
        System.out.println(block);
        assertTrue(block.contains("player       https://localhost:3333/?stream=app/stream"), block);
        assertTrue(block.contains("wss://localhost:3333/app/stream"), block);
        assertTrue(block.contains("https://127.0.0.1:9333/health"), block);
        assertTrue(block.contains("TLS          signalling and metrics: /etc/edge/cert.pem (SHA-256 AB:CD)"), block);
        assertTrue(block.contains("P2P          off"), block);
        assertFalse(block.contains(" ws://") || block.contains("http://"), "no plain URL: " + block);
    }
}
