package p2pedge.signalling;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import p2pedge.config.EdgeConfig;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Who may publish to which app, decided from the configuration alone. */
class WhipAccessTest {

    private static WhipAccess access(JsonObject whip) throws Exception {
        JsonObject config = new JsonObject(Files.readString(Path.of("conf/edge.json")));
        config.getJsonObject("whip").mergeIn(whip);
        return new WhipAccess(EdgeConfig.from(config).whip());
    }

    @Test
    void theShippedDefaultsAdmitNobody() throws Exception {
        WhipAccess closed = access(new JsonObject());
        assertEquals(403, closed.check("live", null).orElseThrow().status());
        assertEquals(403, closed.check("live", "Bearer anything").orElseThrow().status());
    }

    @Test
    void aTokenAdmitsItsBearerOnlyAndAnOpenedAppAnyone() throws Exception {
        WhipAccess access = access(new JsonObject().put("tokens", new JsonObject().put("secure", "s3cret"))
                .put("openApps", new JsonArray().add("lab")));
        assertTrue(access.check("secure", "Bearer s3cret").isEmpty());
        assertEquals(401, access.check("secure", null).orElseThrow().status());
        assertEquals(401, access.check("secure", "Bearer s3cre").orElseThrow().status());
        assertEquals(401, access.check("secure", "s3cret").orElseThrow().status());
        assertTrue(access.check("lab", null).isEmpty());
        assertEquals(403, access.check("other", null).orElseThrow().status());
    }

    @Test
    void aStarOpensEveryAppWithoutATokenAndTokensStillHold() throws Exception {
        WhipAccess access = access(new JsonObject().put("tokens", new JsonObject().put("secure", "s3cret"))
                .put("openApps", new JsonArray().add("*")));
        assertTrue(access.check("anything", null).isEmpty());
        assertEquals(401, access.check("secure", null).orElseThrow().status());
    }

    @Test
    void anAppBothOpenedAndProtectedOrNotAnAppNameIsRefusedAtStart() {
        assertThrows(IllegalArgumentException.class, () -> access(new JsonObject()
                .put("tokens", new JsonObject().put("live", "s3cret")).put("openApps", new JsonArray().add("live"))));
        assertThrows(IllegalArgumentException.class, () -> access(new JsonObject().put("openApps", new JsonArray().add("a/b"))));
    }
}
