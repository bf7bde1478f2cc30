package p2pedge.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The plane, the P2P policy and a stream's codec are parsed once, at start-up, into enums; a bad value stops the edge. */
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
    void anAbsentChoiceTakesItsDefault() throws IOException {
        EdgeConfig config = with(json -> {
            json.getJsonObject("media").remove("plane");
            json.getJsonObject("p2p").remove("policy");
            stream(json).remove("codec");
        });
        assertEquals(EdgeConfig.Plane.FORWARDER, config.media().plane());
        assertEquals(EdgeConfig.Policy.MEASURED, config.p2p().policy());
        assertEquals(EdgeConfig.Codec.VP8, config.streams().get(0).codec());
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
    }

    private static void assertRefused(Consumer<JsonObject> change, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> with(change), message);
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }
}
