package p2pedge.media;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import p2pedge.testing.JavaViewer;
import p2pedge.testing.SignallingClient;
import p2pedge.testing.TestEdge;
import p2pedge.testing.Scrape;
import p2pedge.testing.Waits;
import p2pedge.testing.WebrtcFactory;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** webrtc-java players watch the demo stream through the real signalling and the per-viewer webrtc-java media plane. */
@Tag("e2e")
@ExtendWith(VertxExtension.class)
class JavaViewerEndToEndTest {

    private static Vertx vertx;
    private static TestEdge edge;
    @RegisterExtension
    static final WebrtcFactory WEBRTC = new WebrtcFactory();

    @BeforeAll
    static void start(Vertx v) throws Exception {
        vertx = v;
        edge = TestEdge.start(vertx, TestEdge.webrtcPlane());
    }

    @AfterAll
    static void stop() throws Exception {
        edge.close();
    }

    @Test
    void viewersDecodeRisingFramesOfTheDemoStream() throws Exception {
        List<JavaViewer> viewers = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                viewers.add(new JavaViewer(WEBRTC.get(), SignallingClient.connect(vertx, edge.port(), "/app/stream")));
            }
            for (JavaViewer viewer : viewers) {
                viewer.awaitConnected(15_000);
            }
            Waits.until(() -> viewers.stream().allMatch(v -> v.frames() > 10), 15_000, "every viewer decodes frames");
            long[] before = viewers.stream().mapToLong(JavaViewer::lastFrameNumber).toArray();
            long[] framesBefore = viewers.stream().mapToLong(JavaViewer::frames).toArray();
            Thread.sleep(1_000);
            for (int i = 0; i < viewers.size(); i++) {
                JavaViewer viewer = viewers.get(i);
                long gained = viewer.frames() - framesBefore[i];
                assertTrue(gained >= 10, "viewer " + i + " decoded only " + gained + " frames in 1 s");
                assertTrue(viewer.lastFrameNumber() > before[i],
                        "the pattern's frame counter rises: " + before[i] + " -> " + viewer.lastFrameNumber());
            }
            assertTrue(edge.mediaConnections() == 3);
            // Egress on this plane comes from libwebrtc's transport stats, sampled every 2 s: three viewers of
            // a 600 kbit/s stream.
            Waits.until(() -> Scrape.of(edge.metricsPort()).value("p2pedge_media_egress_bitrate_bits_per_second") > 3 * 200_000,
                    10_000, "the edge's egress bitrate from webrtc-java stats");
            Scrape scrape = Scrape.of(edge.metricsPort());
            double bitrate = scrape.value("p2pedge_media_egress_bitrate_bits_per_second");
            assertTrue(bitrate < 3 * 2_000_000, "three viewers' worth, no more: " + bitrate);
            assertTrue(scrape.value("p2pedge_media_egress_bytes_total") > 100_000, scrape.value("p2pedge_media_egress_bytes_total") + " bytes");
        } finally {
            viewers.forEach(JavaViewer::close);
        }
        edge.awaitMediaConnections(0, 5_000);
    }
}
