package p2pedge.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigOverridesTest {

    private static JsonObject base() {
        return new JsonObject()
                .put("signalling", new JsonObject().put("port", 3333).put("host", "0.0.0.0"))
                .put("media", new JsonObject().put("ipv6", false).put("iceCandidateAddresses", new JsonArray()))
                .put("iceServers", new JsonArray());
    }

    @Test
    void environmentVariableOverridesByUpperCaseUnderscoreName() {
        JsonObject out = ConfigOverrides.apply(base(), Map.of(), Map.of("SIGNALLING_PORT", "4333"));
        assertEquals(4333L, out.getJsonObject("signalling").getLong("port"));
        assertEquals("SIGNALLING_PORT", ConfigOverrides.environmentName("signalling.port"));
    }

    @Test
    void systemPropertyWinsOverEnvironment() {
        JsonObject out = ConfigOverrides.apply(base(), Map.of("signalling.port", "5333"), Map.of("SIGNALLING_PORT", "4333"));
        assertEquals(5333L, out.getJsonObject("signalling").getLong("port"));
    }

    @Test
    void valuesAreCoercedToTheKeysType() {
        JsonObject out = ConfigOverrides.apply(base(), Map.of(
                "media.ipv6", "true",
                "media.iceCandidateAddresses", "127.0.0.1, 10.0.0.1",
                "iceServers", "[{\"urls\":[\"turn:t.example:3478\"],\"username\":\"u\",\"credential\":\"c\"}]"), Map.of());
        assertEquals(true, out.getJsonObject("media").getBoolean("ipv6"));
        assertEquals(new JsonArray().add("127.0.0.1").add("10.0.0.1"), out.getJsonObject("media").getJsonArray("iceCandidateAddresses"));
        assertEquals("turn:t.example:3478", out.getJsonArray("iceServers").getJsonObject(0).getJsonArray("urls").getString(0));
    }

    @Test
    void badValuesFailLoudlyNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigOverrides.apply(base(), Map.of("signalling.port", "lots"), Map.of()));
        assertTrue(e.getMessage().contains("signalling.port"));
        assertThrows(IllegalArgumentException.class, () -> ConfigOverrides.apply(base(), Map.of("media.ipv6", "yes"), Map.of()));
    }

    @Test
    void theInputIsNotModifiedAndUnknownKeysAreIgnored() {
        JsonObject in = base();
        ConfigOverrides.apply(in, Map.of("signalling.port", "1", "nope.key", "2"), Map.of());
        assertEquals(base(), in);
    }

    @Test
    void shippedDefaultsParseAndValidate() throws Exception {
        JsonObject shipped = new JsonObject(new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("conf/edge.json"))));
        EdgeConfig config = EdgeConfig.from(shipped);
        assertEquals(3333, config.signalling().port());
        assertEquals("app/stream", config.streams().get(0).name());
        JsonObject badPort = shipped.copy();
        badPort.getJsonObject("signalling").put("port", 70000);
        assertThrows(IllegalArgumentException.class, () -> EdgeConfig.from(badPort));
    }
}
