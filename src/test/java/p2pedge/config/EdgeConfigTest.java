package p2pedge.config;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plane, the P2P policy and a stream's codec are parsed once, at start-up, into enums; a bad value stops the edge.
 * Defaults live in the built-in file alone; keys of older releases are refused with their new names.
 */
class EdgeConfigTest {

    private static JsonObject shipped() throws IOException {
        return new JsonObject(Files.readString(Path.of("conf/edge.json")));
    }

    private static EdgeConfig with(Consumer<JsonObject> change) throws IOException {
        JsonObject json = shipped();
        change.accept(json);
        return EdgeConfig.from(json);
    }

    private static JsonObject stream(JsonObject json) {
        return json.getJsonArray("streams").getJsonObject(0);
    }

    @Test
    void eachChoiceIsReadInTheConfigFilesSpelling() throws IOException {
        EdgeConfig config = with(json -> {
            json.getJsonObject("media").put("plane", "webrtc");
            json.getJsonObject("p2p").put("policy", "ome");
            stream(json).put("codec", "h264");
        });
        assertEquals(EdgeConfig.Plane.WEBRTC, config.media().plane());
        assertEquals(EdgeConfig.Policy.OME, config.p2p().policy());
        assertEquals(EdgeConfig.Codec.H264, config.streams().get(0).codec());

        EdgeConfig shipped = EdgeConfig.from(shipped());
        assertEquals(EdgeConfig.Plane.FORWARDER, shipped.media().plane());
        assertEquals(EdgeConfig.Policy.MEASURED, shipped.p2p().policy());
        assertEquals(EdgeConfig.Codec.VP8, shipped.streams().get(0).codec());
    }

    @Test
    void everyDefaultComesFromTheBuiltInFileAndIsNotWrittenTwice(@TempDir Path dir) throws Exception {
        // An operator's file with one key: every other key, sections included, comes from the built-in edge.json.
        Path file = dir.resolve("edge.json");
        Files.writeString(file, "{\"media\": {\"forwarder\": {\"port\": 0}}, \"streams\": [{\"name\": \"app/s\", \"width\": 320, \"height\": 180, \"fps\": 15}]}");
        Vertx vertx = Vertx.vertx();
        try {
            EdgeConfig config = ConfigLoader.load(vertx, file, new JsonObject()).await(30, TimeUnit.SECONDS);
            EdgeConfig shipped = EdgeConfig.from(shipped());
            assertEquals(0, config.media().forwarder().port());
            assertEquals(shipped.media().forwarder().consentTimeoutSeconds(), config.media().forwarder().consentTimeoutSeconds());
            assertEquals(shipped.media().webrtc(), config.media().webrtc());
            assertEquals(shipped.media().plane(), config.media().plane());
            assertEquals(shipped.p2p(), config.p2p());
            assertEquals(shipped.pull(), config.pull());
            // A stream entry's own optional fields have their one default in StreamSpec.
            assertEquals(EdgeConfig.Codec.VP8, config.streams().get(0).codec());
            assertEquals(600, config.streams().get(0).bitrateKbps());
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
        // Parsing itself has no fallbacks: a key missing after the merge is an error, not a second default.
        assertRefused(json -> json.getJsonObject("media").remove("plane"), "config key 'media.plane' is missing");
        assertRefused(json -> json.getJsonObject("p2p").remove("enabled"), "config key 'p2p.enabled' is missing");
        assertRefused(json -> json.getJsonObject("media").remove("forwarder"), "config section 'media.forwarder' is missing");
        assertRefused(json -> json.remove("pull"), "config section 'pull' is missing");
    }

    @Test
    void aKeyOfAnOlderReleaseIsRefusedWithItsNewName() {
        assertRefused(json -> json.getJsonObject("media").put("forwarderPort", 41000),
                "config key 'media.forwarderPort' is now 'media.forwarder.port'");
        assertRefused(json -> json.getJsonObject("whip").put("relayIdleSeconds", 30),
                "config key 'whip.relayIdleSeconds' is now 'pull.idleSeconds'");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EdgeConfig.refuseMovedOverrides(
                Map.of(), Map.of("MEDIA_UDPPORTMIN", "40000")));
        assertTrue(e.getMessage().contains("the key is now 'media.webrtc.udpPortMin' (MEDIA_WEBRTC_UDPPORTMIN)"), e.getMessage());
        EdgeConfig.refuseMovedOverrides(Map.of("media.forwarder.port", "0"), Map.of("MEDIA_FORWARDER_PORT", "0"));
    }

    @Test
    void aBadChoiceFailsAtStartNamingTheKeyAndTheAllowedValues() {
        assertRefused(json -> json.getJsonObject("media").put("plane", "sfu"),
                "config key 'media.plane' must be one of 'forwarder', 'webrtc', got 'sfu'");
        assertRefused(json -> json.getJsonObject("p2p").put("policy", "OME"),
                "config key 'p2p.policy' must be one of 'measured', 'ome', got 'OME'");
        assertRefused(json -> stream(json).put("codec", "av1"),
                "config key 'streams.codec' must be one of 'vp8', 'h264', got 'av1'");
        assertRefused(json -> json.getJsonObject("media").put("plane", 1), "config key 'media.plane' must be one of");
        assertRefused(json -> json.getJsonObject("media").getJsonObject("forwarder").put("srtpProfiles", new io.vertx.core.json.JsonArray()),
                "config key 'media.forwarder.srtpProfiles' must name at least one");
    }

    @Test
    void admissionNeedsUsableKeys() throws IOException {
        assertEquals(false, with(json -> { }).admission().enabled(), "off by default: every player is let in");
        assertRefused(json -> json.getJsonObject("admission").put("enabled", true),
                "admission.enabled needs at least one key in admission.jwtKeys");
        assertRefused(json -> json.getJsonObject("admission").put("jwtKeys", new io.vertx.core.json.JsonArray()
                .add(new JsonObject().put("algorithm", "HS256").put("secret", "short"))), "admission.jwtKeys: an HS256 secret must have");
        assertRefused(json -> json.getJsonObject("admission").put("jwtKeys", new io.vertx.core.json.JsonArray()
                .add(new JsonObject().put("algorithm", "none"))), "admission.jwtKeys: algorithm must be");
        assertRefused(json -> json.getJsonObject("admission").put("jwtKeys", new io.vertx.core.json.JsonArray()
                .add(new JsonObject().put("algorithm", "ES256").put("secret", "x"))), "admission.jwtKeys: an ES256 key needs publicKey");
        assertRefused(json -> json.getJsonObject("admission").put("defaultP2p", "all"), "config key 'admission.defaultP2p' must be one of");
    }

    @Test
    void tlsNeedsACertificateAndItsKeyOrASelfSignedOne() throws IOException {
        assertEquals(false, with(json -> { }).signalling().tls().enabled(), "off by default");
        assertRefused(json -> json.getJsonObject("signalling").getJsonObject("tls").put("enabled", true),
                "signalling.tls.enabled needs signalling.tls.certFile and signalling.tls.keyFile (PEM), or signalling.tls.selfSigned");
        assertRefused(json -> json.getJsonObject("metrics").getJsonObject("tls").put("enabled", true).put("certFile", "edge.pem"),
                "metrics.tls.enabled needs");
        assertRefused(json -> json.getJsonObject("metrics").getJsonObject("tls").put("certFile", "edge.pem"),
                "metrics.tls.certFile and metrics.tls.keyFile go together");
        EdgeConfig.Tls made = with(json -> json.getJsonObject("signalling").getJsonObject("tls").put("enabled", true)
                .put("selfSigned", true)).signalling().tls();
        assertEquals(EdgeConfig.Tls.SELF_SIGNED_CERT, made.certPath(), "a made certificate's default place");
        assertEquals("wss", made.scheme(true));
        assertEquals("https", made.scheme(false));
    }

    @Test
    void clusterDiscoveryIsTcpIpUnlessTheFileOrTheEnvironmentSaysKubernetes() throws IOException {
        EdgeConfig.Cluster shipped = with(json -> { }).cluster();
        assertEquals(EdgeConfig.Discovery.TCP_IP, shipped.discovery());
        assertEquals(new EdgeConfig.Kubernetes("", "", ""), shipped.kubernetes());

        EdgeConfig.Cluster dns = with(json -> {
            JsonObject cluster = json.getJsonObject("cluster").put("discovery", "kubernetes").put("host", "10.0.0.5");
            cluster.getJsonObject("kubernetes").put("serviceDns", "p2p-edge-hazelcast.default.svc.cluster.local");
        }).cluster();
        assertEquals(EdgeConfig.Discovery.KUBERNETES, dns.discovery());
        assertEquals("p2p-edge-hazelcast.default.svc.cluster.local", dns.kubernetes().serviceDns());

        // One variable per key, as a pod's env sets them.
        EdgeConfig.Cluster api = EdgeConfig.from(ConfigOverrides.apply(shipped(), Map.of(), Map.of(
                "CLUSTER_DISCOVERY", "kubernetes", "CLUSTER_HOST", "10.0.0.6",
                "CLUSTER_KUBERNETES_NAMESPACE", "edges", "CLUSTER_KUBERNETES_SERVICENAME", "p2p-edge-hazelcast"))).cluster();
        assertEquals(EdgeConfig.Discovery.KUBERNETES, api.discovery());
        assertEquals(new EdgeConfig.Kubernetes("", "edges", "p2p-edge-hazelcast"), api.kubernetes());
        assertEquals("10.0.0.6", api.host());
    }

    @Test
    void kubernetesDiscoveryWithoutAServiceOrOnLoopbackFailsAtStart() {
        assertRefused(json -> json.getJsonObject("cluster").put("discovery", "k8s"),
                "config key 'cluster.discovery' must be one of 'tcp-ip', 'kubernetes', got 'k8s'");
        assertRefused(json -> json.getJsonObject("cluster").put("discovery", "tcp_ip"),
                "config key 'cluster.discovery' must be one of");
        assertRefused(json -> json.getJsonObject("cluster").remove("kubernetes"), "config section 'cluster.kubernetes' is missing");
        assertRefused(json -> json.getJsonObject("cluster").put("discovery", "kubernetes").put("host", "10.0.0.5"),
                "cluster.discovery 'kubernetes' needs cluster.kubernetes.serviceDns");
        assertRefused(json -> {
            JsonObject cluster = json.getJsonObject("cluster").put("discovery", "kubernetes").put("host", "10.0.0.5");
            cluster.getJsonObject("kubernetes").put("serviceDns", "  ").put("namespace", "edges");
        }, "cluster.discovery 'kubernetes' needs cluster.kubernetes.serviceDns");
        for (String loopback : new String[] {"127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]", "0:0:0:0:0:0:0:1"}) {
            assertRefused(json -> {
                JsonObject cluster = json.getJsonObject("cluster").put("discovery", "kubernetes").put("host", loopback);
                cluster.getJsonObject("kubernetes").put("serviceDns", "p2p-edge-hazelcast.default.svc.cluster.local");
            }, "cluster.discovery 'kubernetes' needs cluster.host set to the pod's address");
        }
    }

    private static void assertRefused(Consumer<JsonObject> change, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> with(change), message);
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }
}
