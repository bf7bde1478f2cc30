package p2pedge.metrics;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import p2pedge.admin.AdminApi;
import p2pedge.config.EdgeConfig;

import java.util.logging.Logger;

/**
 * The operators' port: {@code GET /metrics} (Prometheus text: Vert.x's own meters and the product's) and
 * {@code GET /health}. Before each scrape the players and the media plane are asked for a snapshot over the event
 * bus, so the gauges show this moment; a part that does not answer leaves its last values.
 */
public final class MetricsVerticle extends VerticleBase {

    private static final Logger LOG = Logger.getLogger(MetricsVerticle.class.getName());
    /** Answered by signalling with {@link PlayerSnapshot#toJson()}. */
    public static final String PLAYERS = "p2pedge.metrics.players";
    /** Answered by the media plane with {@link MediaSnapshot#toJson()}. */
    public static final String MEDIA = "p2pedge.metrics.media";
    private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(2_000);

    private final EdgeConfig.Metrics config;
    private final EdgeConfig.Http http;
    private final EdgeMetrics metrics;
    private final String edgeId;
    private final String adminToken;
    private HttpServer server;
    private AdminApi admin;
    private final java.util.function.Supplier<java.util.List<String>> edgeIds;
    private io.vertx.core.eventbus.MessageConsumer<Object> overviews;

    /**
     * @param adminToken the admin API's bearer token (the configured one, or one made at start)
     * @param edgeIds    every edge of the cluster, for the admin API's cluster-wide overview
     */
    public MetricsVerticle(EdgeConfig.Metrics config, EdgeConfig.Http http, EdgeMetrics metrics, String edgeId, String adminToken,
                           java.util.function.Supplier<java.util.List<String>> edgeIds) {
        this.edgeIds = edgeIds;
        this.config = config;
        this.http = http;
        this.metrics = metrics;
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
        p2pedge.http.ConnectionGuard guard = new p2pedge.http.ConnectionGuard(vertx, http, "metrics", metrics);
        server = guard.install(vertx.createHttpServer(guard.configure(new io.vertx.core.http.HttpServerOptions())))
                .requestHandler(guard.requests(router));
        return overviews.completion().compose(v -> server.listen(config.port(), config.host()))
                .onSuccess(s -> LOG.info(() -> "metrics on http://" + config.host() + ":" + s.actualPort() + "/metrics"));
    }

    @Override
    public Future<?> stop() {
        return Future.all(overviews.unregister(), server.close());
    }

    private void scrape(RoutingContext ctx) {
        var bus = vertx.eventBus();
        Future<Void> players = bus.<JsonObject>request(PLAYERS, null, ASK)
                .map(m -> PlayerSnapshot.fromJson(m.body())).onSuccess(metrics::update).mapEmpty();
        Future<Void> media = bus.<JsonObject>request(MEDIA, null, ASK)
                .map(m -> MediaSnapshot.fromJson(m.body())).onSuccess(metrics::update).mapEmpty();
        Future.join(players, media).onComplete(ar -> {
            if (ar.failed()) {
                LOG.fine(() -> "scrape with stale values: " + ar.cause().getMessage());
            }
            ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape());
        });
    }
}
