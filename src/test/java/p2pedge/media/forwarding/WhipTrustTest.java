package p2pedge.media.forwarding;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import p2pedge.media.MediaApi;
import p2pedge.testing.LogCapture;
import p2pedge.testing.TestEdge;
import p2pedge.testing.WebrtcFactory;
import p2pedge.testing.WhipPublisher;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an anonymous outsider can do with WHIP and WHEP: publish only to an app the operator opened or with its
 * token, no more live publishers than the edge allows, and end a session only through its own app/stream URL.
 * The offers are real (webrtc-java) but never connect: an attacker needs no media to hold a stream name.
 */
@Tag("e2e")
@ExtendWith(VertxExtension.class)
class WhipTrustTest {

    private static final String TOKEN = "s3cret-token";

    @RegisterExtension
    static final WebrtcFactory WEBRTC = new WebrtcFactory();

    private static String offer() throws Exception {
        try (WhipPublisher sender = new WhipPublisher(WEBRTC.get(), 0)) {
            return sender.offer();
        }
    }

    private static JsonObject config(JsonObject whip) {
        return ForwardingPlaneTest.forwarder().put("whip", whip.put("publisherTimeoutSeconds", 30));
    }

    @Test
    void anonymousIngestIsRefusedUnlessTheOperatorOpenedTheAppOrGaveItAToken(Vertx vertx) throws Exception {
        String offer = offer();
        // The shipped defaults: no token, no open app.
        try (TestEdge edge = TestEdge.start(vertx, config(new JsonObject().put("tokens", new JsonObject().put("secure", TOKEN))))) {
            HttpResponse<String> anonymous = WhipPublisher.post(edge.port(), "live/squat", "application/sdp", offer, null);
            System.out.println("anonymous POST to an app with neither token nor opening: " + anonymous.statusCode() + " "
                    + anonymous.body().trim());
            assertStatus(403, anonymous, "an app the operator neither opened nor gave a token");
            assertTrue(anonymous.body().contains("whip.openApps") && anonymous.body().contains("whip.tokens"),
                    "the refusal says what the operator can do: " + anonymous.body());
            assertStatus(401, WhipPublisher.post(edge.port(), "secure/cam", "application/sdp", offer, null), "no token");
            assertStatus(401, WhipPublisher.post(edge.port(), "secure/cam", "application/sdp", offer, "guess"), "wrong token");
            assertStatus(201, WhipPublisher.post(edge.port(), "secure/cam", "application/sdp", offer, TOKEN), "the app's token");
            assertEquals(false, exists(vertx, "live/squat"), "nothing was created for the refused offer");
        }
        try (TestEdge edge = TestEdge.start(vertx, config(new JsonObject().put("openApps", new JsonArray().add("lab"))))) {
            assertStatus(201, WhipPublisher.post(edge.port(), "lab/cam", "application/sdp", offer, null), "an opened app");
            assertStatus(403, WhipPublisher.post(edge.port(), "live/cam", "application/sdp", offer, null), "an app not opened");
        }
    }

    @Test
    void livePublishersAreCappedAndAFreedSlotIsUsableAgain(Vertx vertx) throws Exception {
        int cap = 3;
        String offer = offer();
        try (TestEdge edge = TestEdge.start(vertx, config(new JsonObject().put("openApps", new JsonArray().add("live"))
                .put("maxPublishers", cap)))) {
            int port = edge.port();
            List<String> locations = new java.util.ArrayList<>();
            int accepted = 0;
            HttpResponse<String> last = null;
            // An anonymous flood: more offers than the cap, each for a new name.
            for (int i = 0; i < cap + 5; i++) {
                last = WhipPublisher.post(port, "live/s" + i, "application/sdp", offer, null);
                if (last.statusCode() == 201) {
                    accepted++;
                    locations.add(last.headers().firstValue("Location").orElseThrow());
                }
            }
            System.out.println("WHIP flood of " + (cap + 5) + " offers with whip.maxPublishers=" + cap + ": " + accepted
                    + " accepted; last answer " + last.statusCode() + " " + last.body().trim());
            assertEquals(cap, accepted, "no more live publishers than whip.maxPublishers");
            assertStatus(503, last, "beyond the cap");
            assertTrue(last.body().contains("whip.maxPublishers"), "the 503 says why: " + last.body());
            assertEquals(200, WhipPublisher.delete(port, locations.get(0), null).statusCode());
            assertStatus(201, WhipPublisher.post(port, "live/after", "application/sdp", offer, null), "the freed slot");
        }
    }

    @Test
    void aSessionEndsOnlyThroughItsOwnAppAndStreamAndItsIdIsNotLogged(Vertx vertx) throws Exception {
        String offer = offer();
        String playOffer = offer.replace("a=sendrecv", "a=recvonly");
        JsonObject whip = new JsonObject().put("tokens", new JsonObject().put("secure", TOKEN))
                .put("openApps", new JsonArray().add("open"));
        try (LogCapture logs = LogCapture.start();
             TestEdge edge = TestEdge.start(vertx, config(whip))) {
            int port = edge.port();
            HttpResponse<String> published = WhipPublisher.post(port, "secure/cam", "application/sdp", offer, TOKEN);
            assertStatus(201, published, "the protected stream");
            String location = published.headers().firstValue("Location").orElseThrow();
            String resource = location.substring(location.lastIndexOf('/') + 1);
            HttpResponse<String> played = WhipPublisher.post(port, "whep/app/stream", "application/sdp", playOffer, null);
            assertStatus(201, played, "a WHEP player of the demo");
            String playLocation = played.headers().firstValue("Location").orElseThrow();
            String playResource = playLocation.substring(playLocation.lastIndexOf('/') + 1);

            assertStatus(404, WhipPublisher.delete(port, "/open/x/" + resource, null),
                    "the protected stream's resource under an open app");
            assertStatus(404, WhipPublisher.delete(port, "/secure/other/" + resource, TOKEN),
                    "the resource under another stream of its own app");
            assertEquals(true, exists(vertx, "secure/cam"), "the protected stream is still live");
            assertStatus(404, WhipPublisher.delete(port, "/whep/live/other/" + playResource, null),
                    "a WHEP resource under another stream");
            assertEquals(1, edge.mediaConnections(), "the WHEP player is still served");

            assertStatus(200, WhipPublisher.delete(port, "/whep/app/stream/" + playResource, null), "its own WHEP URL");
            assertStatus(200, WhipPublisher.delete(port, location, TOKEN), "its own URL with its app's token");
            assertEquals(false, exists(vertx, "secure/cam"), "ended by its own DELETE");

            List<String> leaks = logs.linesAtLeast(Level.INFO).stream()
                    .filter(line -> line.contains(resource) || line.contains(playResource)).toList();
            assertEquals(List.of(), leaks, "resource ids (the right to end a session) are not logged at INFO");
        }
    }

    private static boolean exists(Vertx vertx, String stream) throws Exception {
        return new MediaApi(vertx.eventBus(), 5_000).streamExists(stream).await(5, TimeUnit.SECONDS);
    }

    private static void assertStatus(int expected, HttpResponse<String> response, String what) {
        assertEquals(expected, response.statusCode(), what + ": " + response.body());
    }
}
