package p2pedge.media.forwarding;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.LoadViewer;
import p2pedge.testing.TestEdge;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmark's load viewer (ICE, DTLS-SRTP, SRTP decryption and packet counting, no decoding) is itself
 * checked against both media planes: against the forwarder's ICE-lite port and against libwebrtc's full ICE
 * agent on the per-viewer path it completes the handshake, authenticates every packet and sees no loss on
 * loopback. Against the forwarder, 40 of them at once.
 */
@Tag("e2e")
@ExtendWith(VertxExtension.class)
class LoadViewerTest {

    @Test
    void fortyLoadViewersReceiveTheForwardedStreamWithoutLoss(Vertx vertx) throws Exception {
        try (TestEdge edge = TestEdge.start(vertx, ForwardingPlaneTest.forwarder())) {
            receive(vertx, edge, 40, crowd -> crowd);
            JsonObject stats = vertx.eventBus().<JsonObject>request(ForwardingMediaVerticle.FORWARDING_STATS, null)
                    .await(5, TimeUnit.SECONDS).body();
            assertEquals(0, stats.getInteger("viewers"), "every viewer released: " + stats.encode());
            assertEquals(1, stats.getInteger("sessions"), "only the demo publisher's session is left: " + stats.encode());
            System.out.println("forwarder stats after 40 load viewers: " + stats.encode());
        }
    }

    /** As the media-plane bench reads them: every 40 ms, what piled up in each socket at once (SocketPoller). */
    @Test
    void fortyPolledLoadViewersReceiveTheForwardedStreamWithoutLoss(Vertx vertx) throws Exception {
        try (TestEdge edge = TestEdge.start(vertx, ForwardingPlaneTest.forwarder())) {
            receive(vertx, edge, 40, crowd -> crowd.withPolledReceive(40));
        }
    }

    @Test
    void aLoadViewerCompletesFullIceWithLibwebrtcOnThePerViewerPlane(Vertx vertx) throws Exception {
        try (TestEdge edge = TestEdge.start(vertx, TestEdge.webrtcPlane())) {
            receive(vertx, edge, 2, crowd -> crowd);
            edge.awaitMediaConnections(0, 10_000);
        }
    }

    /** Connects n load viewers of {@code crowd}'s kind, counts for 3 s, checks every one, closes them. */
    private static void receive(Vertx vertx, TestEdge edge, int n, java.util.function.UnaryOperator<LoadViewer.Crowd> kind)
            throws Exception {
        LoadViewer.Crowd crowd = kind.apply(LoadViewer.Crowd.create(vertx, 8, 600));
        List<LoadViewer> viewers = new ArrayList<>();
        try {
            List<Future<LoadViewer>> connecting = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                connecting.add(crowd.join(edge.port(), "/app/stream")
                        .onSuccess(viewers::add));
            }
            Future.all(connecting).await(30, TimeUnit.SECONDS);
            Thread.sleep(1_000); // the first keyframe
            List<LoadViewer.Counts> before = counts(viewers);
            Thread.sleep(3_000);
            LoadViewer.Counts first = null;
            List<LoadViewer.Counts> after = counts(viewers);
            for (int i = 0; i < viewers.size(); i++) {
                LoadViewer.Counts c = after.get(i).minus(before.get(i));
                first = first == null ? c : first;
                // 30 fps video and 50 packets/s of audio at the very least.
                assertTrue(c.packets() > 200, "viewer " + i + " receives packets: " + c);
                assertEquals(0, c.refused(), "every packet authenticates: " + c);
                assertTrue(c.lossRatio() < 0.01, "no loss on loopback: " + c);
            }
            System.out.printf("%d load viewers, 3 s: connect %s ms, first viewer's window %s = %.0f kbit/s%n", n,
                    viewers.stream().mapToDouble(LoadViewer::connectMillis).summaryStatistics(), first, first.bytes() * 8 / 3.0 / 1000);
        } finally {
            Future.join(viewers.stream().map(LoadViewer::close).toList()).await(10, TimeUnit.SECONDS);
            crowd.close();
        }
    }

    private static List<LoadViewer.Counts> counts(List<LoadViewer> viewers) throws Exception {
        List<LoadViewer.Counts> out = new ArrayList<>();
        for (LoadViewer viewer : viewers) {
            out.add(viewer.counts().await(5, TimeUnit.SECONDS));
        }
        return out;
    }
}
