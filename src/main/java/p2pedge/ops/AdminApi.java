package p2pedge.ops;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import p2pedge.bus.InProcess;
import p2pedge.http.BearerToken;
import p2pedge.media.MediaApi;
import p2pedge.metrics.EdgeMetrics;
import p2pedge.p2p.P2pApi;
import p2pedge.signalling.PlayerSnapshot;
import p2pedge.signalling.SignallingApi;

import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The admin API on the operators' port, JSON, every call with {@code Authorization: Bearer <metrics.adminToken>}:
 * {@code GET /admin/streams}, {@code /admin/peers}, {@code /admin/hosts}, {@code /admin/overview} (all of it, for
 * the dashboard) and {@code POST /admin/drain}. The answers come from signalling, classification and the media
 * plane over the event bus.
 */
public final class AdminApi {

    private static final Logger LOG = Logger.getLogger(AdminApi.class.getName());
    private static final DeliveryOptions ASK = InProcess.within(5_000);
    /** Each edge's overview, on the clustered event bus (suffix: the edge id), for the cluster-wide view. */
    private static final String OVERVIEW = "p2pedge.admin.overview.";
    private static final DeliveryOptions ASK_EDGE = new DeliveryOptions().setSendTimeout(3_000);

    private final Vertx vertx;
    private final String edgeId;
    private final BearerToken token;
    private final EdgeMetrics metrics;
    private final P2pApi p2p;
    private final Supplier<List<String>> edgeIds;
    private volatile boolean draining;

    /** @param edgeIds the ids of every edge of the cluster, for the cluster-wide overview */
    public AdminApi(Vertx vertx, String edgeId, String token, EdgeMetrics metrics, Supplier<List<String>> edgeIds) {
        this.edgeIds = edgeIds;
        this.vertx = vertx;
        this.edgeId = edgeId;
        this.token = new BearerToken(token);
        this.metrics = metrics;
        this.p2p = new P2pApi(vertx.eventBus(), 5_000);
    }

    public boolean draining() {
        return draining;
    }

    public void mount(Router router) {
        router.route("/admin/*").handler(this::authorize);
        router.get("/admin/streams").handler(ctx -> answer(ctx, streams()));
        router.get("/admin/peers").handler(ctx -> answer(ctx, ask(SignallingApi.PEERS)));
        router.get("/admin/hosts").handler(ctx -> answer(ctx, p2p.hosts()));
        router.get("/admin/overview").handler(ctx -> answer(ctx,
                "cluster".equals(ctx.request().getParam("scope")) ? clusterOverview() : overview()));
        router.post("/admin/drain").handler(BodyHandler.create(false).setBodyLimit(1024));
        router.post("/admin/drain").handler(ctx -> answer(ctx, this.<JsonObject>ask(SignallingApi.DRAIN).onSuccess(result -> {
            draining = true;
            LOG.warning(() -> "edge draining: " + result.encode());
        })));
    }

    /** Answers other edges asking for this edge's overview (the cluster-wide view); unregister on stop. */
    public MessageConsumer<Object> listen() {
        return vertx.eventBus().consumer(OVERVIEW + edgeId, m -> overview().onComplete(ar -> {
            if (ar.succeeded()) {
                m.reply(ar.result());
            } else {
                m.fail(503, ar.cause().getMessage());
            }
        }));
    }

    /** Every edge's overview, asked over the clustered event bus; edges that do not answer are listed as such. */
    private Future<JsonObject> clusterOverview() {
        List<String> ids = edgeIds.get();
        List<Future<JsonObject>> asked = ids.stream()
                .map(id -> vertx.eventBus().<JsonObject>request(OVERVIEW + id, null, ASK_EDGE).map(m -> m.body())).toList();
        return Future.join(asked).transform(ar -> {
            JsonArray edges = new JsonArray();
            JsonArray unreachable = new JsonArray();
            for (int i = 0; i < ids.size(); i++) {
                if (asked.get(i).succeeded()) {
                    edges.add(asked.get(i).result());
                } else {
                    unreachable.add(ids.get(i));
                }
            }
            return Future.succeededFuture(new JsonObject().put("scope", "cluster").put("edge", edgeId)
                    .put("time", System.currentTimeMillis()).put("edges", edges).put("unreachable", unreachable));
        });
    }

    private void authorize(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        if (token.admits(header)) {
            ctx.next();
            return;
        }
        ctx.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer").putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("error", header == null ? "the admin API needs Authorization: Bearer <metrics.adminToken>"
                        : "wrong admin token").encode());
    }

    private <T> Future<T> ask(String address) {
        return vertx.eventBus().<T>request(address, null, ASK).map(m -> m.body());
    }

    /** The media plane's streams with signalling's players of each: how many, how many served by peers. */
    private Future<JsonArray> streams() {
        Future<JsonArray> media = ask(MediaApi.STREAMS);
        Future<PlayerSnapshot> players = this.<JsonObject>ask(SignallingApi.PLAYERS).map(PlayerSnapshot::fromJson);
        return Future.all(media, players).map(v -> {
            JsonArray out = new JsonArray();
            for (Object o : media.result()) {
                JsonObject stream = ((JsonObject) o).copy();
                PlayerSnapshot.StreamPlayers of = players.result().byStream().getOrDefault(stream.getString("name"),
                        new PlayerSnapshot.StreamPlayers(0, 0));
                out.add(stream.put("players", of.players()).put("servedByPeers", of.servedByPeers())
                        .put("offloadRatio", of.offloadRatio()));
            }
            return out;
        });
    }

    private Future<JsonObject> overview() {
        Future<JsonArray> streams = streams();
        Future<JsonArray> peers = Future.all(ask(SignallingApi.PEERS), ask(MediaApi.VIEWER_LEGS))
                .map(both -> withLegs(both.resultAt(0), both.resultAt(1)));
        Future<JsonArray> hosts = p2p.hosts();
        return Future.all(streams, peers, hosts).map(v -> new JsonObject()
                .put("edge", edgeId)
                .put("draining", draining)
                .put("time", System.currentTimeMillis())
                .put("streams", streams.result())
                .put("peers", peers.result())
                .put("hosts", hosts.result())
                .put("counters", metrics.counters()));
    }

    /** Each player with the edge leg the media plane sees for it (its "leg"), where it has one. */
    private static JsonArray withLegs(JsonArray peers, JsonObject legs) {
        JsonArray out = new JsonArray();
        for (Object o : peers) {
            JsonObject peer = ((JsonObject) o).copy();
            JsonObject leg = legs.getJsonObject(String.valueOf(peer.getValue("id")));
            out.add(leg == null ? peer : peer.put("leg", leg));
        }
        return out;
    }

    private static void answer(RoutingContext ctx, Future<?> result) {
        result.onComplete(ar -> {
            if (ar.failed()) {
                ctx.response().setStatusCode(503).putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("error", "not answered: " + ar.cause().getMessage()).encode());
            } else if (ar.result() instanceof JsonArray array) {
                ctx.json(array);
            } else {
                ctx.json(ar.result());
            }
        });
    }
}
