package p2pedge.signalling;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import p2pedge.config.EdgeConfig;
import p2pedge.http.BearerToken;
import p2pedge.media.MediaApi;

import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;

/**
 * WHIP ingest (RFC 9725) and WHEP playback on the signalling port. {@code POST /{app}/{stream}} with a
 * publisher's SDP offer creates the stream; {@code POST /whep/{app}/{stream}} with a player's offer plays it
 * (edge-served, outside P2P Delivery). Both answer {@code 201 Created} with the edge's SDP and the session's
 * {@code Location}; {@code DELETE} on it ends the session. Trickle ICE ({@code PATCH}) is not offered: the edge
 * is ICE-lite and its answer carries its one candidate. Every refusal is a status with a plain-text reason.
 */
final class WhipWhepEndpoint {

    private static final Logger LOG = Logger.getLogger(WhipWhepEndpoint.class.getName());
    private static final String SDP = "application/sdp";

    private final EdgeConfig.Whip config;
    private final MediaApi media;

    WhipWhepEndpoint(EdgeConfig.Whip config, MediaApi media) {
        this.config = config;
        this.media = media;
    }

    void mount(Router router) {
        BodyHandler bodies = BodyHandler.create(false).setBodyLimit(config.maxBodyBytes());
        router.post("/whep/:app/:stream").handler(bodies).handler(this::play).failureHandler(this::bodyRefused);
        router.delete("/whep/:app/:stream/:resource").handler(ctx -> ended(ctx, media.stopPlaying(ctx.pathParam("resource"))));
        router.patch("/whep/:app/:stream/:resource").handler(WhipWhepEndpoint::noTrickle);
        router.post("/:app/:stream").handler(bodies).handler(this::publish).failureHandler(this::bodyRefused);
        router.delete("/:app/:stream/:resource").handler(this::unpublish);
        router.patch("/:app/:stream/:resource").handler(WhipWhepEndpoint::noTrickle);
    }

    /** The body handler's refusal of an oversized offer gets a reason like every other error (not a SEVERE log line). */
    private void bodyRefused(RoutingContext ctx) {
        if (ctx.statusCode() == 413 && !ctx.response().ended()) {
            refuse(ctx, 413, "the offer is larger than " + config.maxBodyBytes() + " bytes (whip.maxBodyBytes)");
        } else {
            ctx.next();
        }
    }

    private static void noTrickle(RoutingContext ctx) {
        refuse(ctx, 405, "trickle ICE is not supported: the answer carries the edge's candidate");
    }

    /** WHEP: anyone may watch, as on the WebSocket; the stream may live on this edge or be relayed to it. */
    private void play(RoutingContext ctx) {
        streamName(ctx).ifPresent(stream -> offer(ctx).ifPresent(sdp ->
                answered(ctx, "/whep/" + stream, media.play(stream, sdp))));
    }

    private void publish(RoutingContext ctx) {
        streamName(ctx).filter(stream -> authorized(ctx, ctx.pathParam("app"))).ifPresent(stream -> offer(ctx).ifPresent(sdp ->
                answered(ctx, "/" + stream, media.publish(stream, sdp))));
    }

    /** {@code app/stream} from the path parameters, or empty after a 400. */
    private static java.util.Optional<String> streamName(RoutingContext ctx) {
        java.util.Optional<String> name = StreamPath.parse("/" + ctx.pathParam("app") + "/" + ctx.pathParam("stream"));
        if (name.isEmpty()) {
            refuse(ctx, 400, "stream names are app/stream of letters, digits and ._~-");
        }
        return name;
    }

    /** The SDP offer in the body, or empty after a 415/400. */
    private static java.util.Optional<String> offer(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith(SDP)) {
            refuse(ctx, 415, "the body must be an SDP offer (Content-Type: application/sdp)");
            return java.util.Optional.empty();
        }
        String offer = ctx.body().asString(StandardCharsets.UTF_8.name());
        if (offer == null || offer.isBlank()) {
            refuse(ctx, 400, "empty body: expected an SDP offer");
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(offer);
    }

    private static void answered(RoutingContext ctx, String base, io.vertx.core.Future<MediaApi.Answered> answer) {
        answer.onComplete(ar -> {
            if (ar.failed()) {
                failed(ctx, ar.cause());
                return;
            }
            String location = base + "/" + ar.result().resource();
            LOG.info(() -> "HTTP offer from " + ctx.request().remoteAddress() + " answered: " + location);
            ctx.response().setStatusCode(201).putHeader("Content-Type", SDP).putHeader("Location", location)
                    .end(ar.result().sdp());
        });
    }

    private static void ended(RoutingContext ctx, io.vertx.core.Future<Void> done) {
        done.onComplete(ar -> {
            if (ar.failed()) {
                failed(ctx, ar.cause());
            } else {
                ctx.response().setStatusCode(200).end();
            }
        });
    }

    private void unpublish(RoutingContext ctx) {
        if (!authorized(ctx, ctx.pathParam("app"))) {
            return;
        }
        ended(ctx, media.unpublish(ctx.pathParam("resource")));
    }

    /** Apps with a token need {@code Authorization: Bearer <token>}; compared in constant time. */
    private boolean authorized(RoutingContext ctx, String app) {
        String token = config.tokens().get(app);
        if (token == null) {
            return true;
        }
        String header = ctx.request().getHeader("Authorization");
        if (new BearerToken(token).admits(header)) {
            return true;
        }
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
        refuse(ctx, 401, header == null ? "this app needs a bearer token" : "wrong bearer token");
        return false;
    }

    private static void failed(RoutingContext ctx, Throwable cause) {
        if (cause instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
            refuse(ctx, reply.failureCode(), reply.getMessage());
        } else if (cause instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS) {
            refuse(ctx, 501, "WHIP needs the forwarding media plane (media.plane=forwarder)");
        } else {
            refuse(ctx, 503, "the media plane did not answer: " + cause.getMessage());
        }
    }

    private static void refuse(RoutingContext ctx, int status, String reason) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8").end(reason + "\n");
    }
}
