package p2pedge.cluster;

import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import p2pedge.config.EdgeConfig;
import p2pedge.metrics.EdgeMetrics;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@code threads.eventLoops}: the edge's Vert.x has as many event loops as configured (Vert.x's default as shipped). */
class EventLoopsTest {

    @Test
    void vertxHasTheConfiguredEventLoops() throws Exception {
        JsonObject shipped = new JsonObject(Files.readString(Path.of("conf/edge.json")));
        assertEquals(0, EdgeConfig.from(shipped).threads().eventLoops(), "as shipped");
        assertEquals(VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE, loopsOf(shipped), "0: Vert.x's default");
        assertEquals(1, loopsOf(shipped.copy().put("threads", new JsonObject().put("eventLoops", 1))));
        assertEquals(3, loopsOf(shipped.copy().put("threads", new JsonObject().put("eventLoops", 3))));
        assertThrows(IllegalArgumentException.class,
                () -> EdgeConfig.from(shipped.copy().put("threads", new JsonObject().put("eventLoops", -1))));
    }

    private static int loopsOf(JsonObject json) throws Exception {
        EdgeConfig config = EdgeConfig.from(json.put("metrics", json.getJsonObject("metrics").copy().put("enabled", false)));
        Vertx vertx = EdgeCluster.startVertx(config, EdgeMetrics.newRegistry()).await(30, TimeUnit.SECONDS).vertx();
        try {
            int loops = 0;
            for (EventExecutor ignored : ((VertxInternal) vertx).nettyEventLoopGroup()) {
                loops++;
            }
            return loops;
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }
}
