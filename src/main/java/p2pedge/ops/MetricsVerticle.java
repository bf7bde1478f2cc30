package p2pedge.ops;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import p2pedge.bus.InProcess;
import p2pedge.config.EdgeConfig;
import p2pedge.http.ConnectionGuard;
import p2pedge.media.MediaApi;
import p2pedge.media.MediaSnapshot;
import p2pedge.metrics.EdgeMetrics;
import p2pedge.signalling.PlayerSnapshot;
import p2pedge.signalling.SignallingApi;

import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The operators' port: {@code GET /metrics} (Prometheus text: Vert.x's own meters and the product's) and
 * {@code GET /health}. Before each scrape the players and the media plane are asked for a snapshot over the event
 * bus, so the gauges show this moment; a part that does not answer leaves its last values.
 */
public final class MetricsVerticle extends VerticleBase {

    private static final Logger LOG = Logger.getLogger(MetricsVerticle.class.getName());
    private static final DeliveryOptions ASK = InProcess.within(2_000);

    private final EdgeConfig.Metrics config;
    private final EdgeConfig.Http http;
    private final EdgeMetrics metrics;
    private final SnapshotGauges gauges;
    private final String edgeId;
    private final String adminToken;
    private HttpServer server;
    private AdminApi admin;
    private final Supplier<List<String>> edgeIds;
    private MessageConsumer<Object> overviews;

    /**
     * @param adminToken the admin API's bearer token (the configured one, or one made at start)
     * @param edgeIds    every edge of the cluster, for the admin API's cluster-wide overview
     */
    public MetricsVerticle(EdgeConfig.Metrics config, EdgeConfig.Http http, EdgeMetrics metrics, String edgeId, String adminToken,
                           Supplier<List<String>> edgeIds) {
        this.edgeIds = edgeIds;
        this.config = config;
        this.http = http;
        this.metrics = metrics;
        this.gauges = new SnapshotGauges(metrics.registry());
        this.edgeId = edgeId;
        this.adminToken = adminToken;
    }

    /** The bound port (differs from the configured one when that is 0). */
    public int port() {
        return server.actualPort();
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.get("/metrics").handler(this::scrape);
        admin = new AdminApi(vertx, edgeId, adminToken, metrics, edgeIds);
        admin.mount(router);
        overviews = admin.listen();
        // A draining edge answers 503 so that load balancers and orchestrators stop sending players to it.
        router.get("/health").handler(ctx -> ctx.response().setStatusCode(admin.draining() ? 503 : 200)
                .putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("status", admin.draining() ? "draining" : "up").put("edge", edgeId).encode()));
        router.get("/dashboard/*").handler(StaticHandler.create("dashboard").setCachingEnabled(false));
        ConnectionGuard guard = new ConnectionGuard(vertx, http, "metrics", metrics);
        server = guard.install(vertx.createHttpServer(guard.configure(new HttpServerOptions(), config.tls())))
                .requestHandler(guard.requests(router));
        return overviews.completion().compose(v -> server.listen(config.port(), config.host()))
                .onSuccess(s -> LOG.info(() -> "metrics on " + config.tls().scheme(false) + "://" + config.host() + ":" + s.actualPort() + "/metrics"));
    }

    @Override
    public Future<?> stop() {
        return Future.all(overviews.unregister(), server.close());
    }

    private void scrape(RoutingContext ctx) {
        var bus = vertx.eventBus();
        Future<Void> players = bus.<JsonObject>request(SignallingApi.PLAYERS, null, ASK)
                .map(m -> PlayerSnapshot.fromJson(m.body())).onSuccess(gauges::update).mapEmpty();
        Future<Void> media = bus.<JsonObject>request(MediaApi.SNAPSHOT, null, ASK)
                .map(m -> MediaSnapshot.fromJson(m.body())).onSuccess(gauges::update).mapEmpty();
        Future.join(players, media).onComplete(ar -> {
            if (ar.failed()) {
                LOG.fine(() -> "scrape with stale values: " + ar.cause().getMessage());
            }
            ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape());
        });
    }
}
