package p2pedge.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigOverridesTest {

    private static JsonObject base() {
        return new JsonObject()
                .put("signalling", new JsonObject().put("port", 3333).put("host", "0.0.0.0"))
                .put("media", new JsonObject().put("ipv6", false).put("iceCandidateAddresses", new JsonArray()))
                .put("iceServers", new JsonArray())
                .put("whip", new JsonObject().put("tokens", new JsonObject()));
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

    @Test
    void objectValuedKeysAreOverriddenByJsonLikeEveryOtherKey() {
        JsonObject fromEnvironment = ConfigOverrides.apply(base(), Map.of(), Map.of("WHIP_TOKENS", "{\"live\":\"s3cret\"}"));
        assertEquals(new JsonObject().put("live", "s3cret"), fromEnvironment.getJsonObject("whip").getJsonObject("tokens"));
        JsonObject fromProperty = ConfigOverrides.apply(base(), Map.of("whip.tokens", "{\"cam\":\"p\"}"),
                Map.of("WHIP_TOKENS", "{\"live\":\"s3cret\"}"));
        assertEquals(new JsonObject().put("cam", "p"), fromProperty.getJsonObject("whip").getJsonObject("tokens"),
                "the system property wins and replaces the whole object");
        JsonObject shipped = new JsonObject(readShipped());
        EdgeConfig config = EdgeConfig.from(ConfigOverrides.apply(shipped, Map.of(), Map.of("WHIP_TOKENS", "{\"live\":\"s3cret\"}")));
        assertEquals(Map.of("live", "s3cret"), config.whip().tokens(), "the edge gets the token");
    }

    @Test
    void malformedOrWrongTypedStructuredOverridesFailAtStartNamingTheKey() {
        for (Map.Entry<String, String> bad : List.of(
                Map.entry("WHIP_TOKENS", "live:s3cret"),
                Map.entry("WHIP_TOKENS", "{\"live\":"),
                Map.entry("WHIP_TOKENS", "[\"live\"]"),
                Map.entry("ICESERVERS", "[{\"urls\":"),
                Map.entry("ICESERVERS", "{\"urls\":[\"stun:s\"]}"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ConfigOverrides.apply(base(), Map.of(), Map.ofEntries(bad)), bad.toString());
            String key = bad.getKey().equals("WHIP_TOKENS") ? "whip.tokens" : "iceServers";
            assertTrue(e.getMessage().contains(key), "names the key: " + e.getMessage());
        }
    }

    @Test
    void tokensMustBeNonBlankStrings() {
        JsonObject shipped = new JsonObject(readShipped());
        for (Object bad : List.of("", "  ", 42, new JsonObject())) {
            JsonObject config = shipped.copy();
            config.getJsonObject("whip").put("tokens", new JsonObject().put("live", bad));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EdgeConfig.from(config), String.valueOf(bad));
            assertTrue(e.getMessage().contains("whip.tokens.live"), e.getMessage());
        }
    }

    private static String readShipped() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("conf/edge.json"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
