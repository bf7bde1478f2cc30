package p2pedge.signalling;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import p2pedge.config.EdgeConfig;
import p2pedge.media.MediaApi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.logging.Logger;

/**
 * WHIP ingest (RFC 9725) on the signalling port: {@code POST /{app}/{stream}} with an SDP offer creates the
 * stream and answers {@code 201 Created} with the edge's SDP and the session's {@code Location};
 * {@code DELETE} on that location ends the stream. Trickle ICE ({@code PATCH}) is not offered: the edge is
 * ICE-lite and its answer carries its one candidate. Every refusal is a status with a plain-text reason.
 */
final class WhipEndpoint {

    private static final Logger LOG = Logger.getLogger(WhipEndpoint.class.getName());
    private static final String SDP = "application/sdp";

    private final EdgeConfig.Whip config;
    private final MediaApi media;

    WhipEndpoint(EdgeConfig.Whip config, MediaApi media) {
        this.config = config;
        this.media = media;
    }

    void mount(Router router) {
        router.post("/:app/:stream").handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()));
        router.post("/:app/:stream").handler(this::publish);
        router.delete("/:app/:stream/:resource").handler(this::unpublish);
        router.patch("/:app/:stream/:resource").handler(ctx -> refuse(ctx, 405, "trickle ICE is not supported: the answer carries the edge's candidate"));
    }

    private void publish(RoutingContext ctx) {
        String app = ctx.pathParam("app");
        java.util.Optional<String> name = StreamPath.parse(ctx.request().path());
        if (name.isEmpty()) {
            refuse(ctx, 400, "stream names are app/stream of letters, digits and ._~-");
            return;
        }
        String stream = name.get();
        if (!authorized(ctx, app)) {
            return;
        }
        String type = ctx.request().getHeader("Content-Type");
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith(SDP)) {
            refuse(ctx, 415, "the body must be an SDP offer (Content-Type: application/sdp)");
            return;
        }
        String offer = ctx.body().asString(StandardCharsets.UTF_8.name());
        if (offer == null || offer.isBlank()) {
            refuse(ctx, 400, "empty body: expected an SDP offer");
            return;
        }
        media.publish(stream, offer).onComplete(ar -> {
            if (ar.failed()) {
                failed(ctx, ar.cause());
                return;
            }
            String location = "/" + stream + "/" + ar.result().resource();
            LOG.info(() -> "WHIP: " + stream + " published from " + ctx.request().remoteAddress() + " (" + location + ")");
            ctx.response().setStatusCode(201).putHeader("Content-Type", SDP).putHeader("Location", location)
                    .end(ar.result().sdp());
        });
    }

    private void unpublish(RoutingContext ctx) {
        if (!authorized(ctx, ctx.pathParam("app"))) {
            return;
        }
        media.unpublish(ctx.pathParam("resource")).onComplete(ar -> {
            if (ar.failed()) {
                failed(ctx, ar.cause());
            } else {
                ctx.response().setStatusCode(200).end();
            }
        });
    }

    /** Apps with a token need {@code Authorization: Bearer <token>}; compared in constant time. */
    private boolean authorized(RoutingContext ctx, String app) {
        String token = config.tokens().get(app);
        if (token == null) {
            return true;
        }
        String header = ctx.request().getHeader("Authorization");
        byte[] given = header == null ? new byte[0] : header.getBytes(StandardCharsets.UTF_8);
        if (MessageDigest.isEqual(given, ("Bearer " + token).getBytes(StandardCharsets.UTF_8))) {
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
