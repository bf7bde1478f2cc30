package p2pedge.signalling;

import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import p2pedge.admission.PlayerAdmission;
import p2pedge.admission.Refused;
import p2pedge.config.EdgeConfig;
import p2pedge.net.PerAddressCap;
import p2pedge.media.MediaApi;
import p2pedge.metrics.EdgeMetrics;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * WHIP ingest (RFC 9725) and WHEP playback on the signalling port. {@code POST /{app}/{stream}} with a
 * publisher's SDP offer creates the stream; {@code POST /whep/{app}/{stream}} with a player's offer plays it
 * (edge-served, outside P2P Delivery). Both answer {@code 201 Created} with the edge's SDP and the session's
 * {@code Location}; {@code DELETE} on it ends the session. Trickle ICE ({@code PATCH}) is not offered: the edge
 * is ICE-lite and its answer carries its one candidate. Every refusal is a status with a plain-text reason.
 * Publishing needs the app's token or an app the operator opened ({@link WhipAccess}); a session's {@code DELETE}
 * must name the session's own app and stream, and its resource id (the right to end it) is never logged.
 */
final class WhipWhepEndpoint {

    private static final Logger LOG = Logger.getLogger(WhipWhepEndpoint.class.getName());
    private static final String SDP = "application/sdp";

    private final EdgeConfig.Whip config;
    private final MediaApi media;
    private final WhipAccess access;
    private final EdgeMetrics metrics;
    private final PlayerAdmission admission;

    WhipWhepEndpoint(EdgeConfig.Whip config, MediaApi media, EdgeMetrics metrics, PlayerAdmission admission) {
        this.admission = admission;
        this.config = config;
        this.media = media;
        this.access = new WhipAccess(config);
        this.metrics = metrics;
    }

    void mount(Router router) {
        BodyHandler bodies = BodyHandler.create(false).setBodyLimit(config.maxBodyBytes());
        router.post("/whep/:app/:stream").handler(bodies).handler(this::play).failureHandler(this::bodyRefused);
        router.delete("/whep/:app/:stream/:resource").handler(this::stopPlaying);
        router.patch("/whep/:app/:stream/:resource").handler(WhipWhepEndpoint::noTrickle);
        // A route of its own: Vert.x Web wants the body handler first on a route.
        router.post("/:app/:stream").handler(this::countRefusals);
        router.post("/:app/:stream").handler(bodies).handler(this::publish).failureHandler(this::bodyRefused);
        router.delete("/:app/:stream/:resource").handler(this::countRefusals).handler(this::unpublish);
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

    /**
     * WHEP: whoever may watch on the WebSocket (with admission, the same player token: {@code Authorization: Bearer},
     * or {@code ?token=}); the stream may live on this edge or be pulled to it.
     */
    private void play(RoutingContext ctx) {
        streamName(ctx).ifPresent(stream -> offer(ctx).ifPresent(sdp -> {
            String token = PlayerAdmission.tokenOf(ctx.request().query(), ctx.request().getHeader("Authorization"));
            admission.admit(token, stream, PerAddressCap.addressOf(ctx.request().remoteAddress())).onComplete(admitted -> {
                if (admitted.succeeded()) {
                    answered(ctx, "/whep/" + stream, media.play(stream, sdp));
                    return;
                }
                Refused refused = Refused.of(admitted.cause());
                metrics.admissionRefused(refused.reason());
                if (refused.code() == 401) {
                    ctx.response().putHeader("WWW-Authenticate", "Bearer");
                }
                refuse(ctx, refused.code(), refused.getMessage());
            });
        }));
    }

    /** WHIP: the app's bearer token (or an open app), or with admission a JWT with {@code "publish": true} for the stream. */
    private void publish(RoutingContext ctx) {
        streamName(ctx).ifPresent(stream -> {
            Optional<WhipAccess.Refusal> refusal = access.check(ctx.pathParam("app"), ctx.request().getHeader("Authorization"));
            if (refusal.isEmpty() || !admission.enabled()) {
                refusal.ifPresentOrElse(r -> refuseWith(ctx, r), () -> offer(ctx).ifPresent(sdp ->
                        answered(ctx, "/" + stream, media.publish(stream, sdp))));
                return;
            }
            String token = PlayerAdmission.tokenOf(null, ctx.request().getHeader("Authorization"));
            admission.admitPublisher(token, stream, PerAddressCap.addressOf(ctx.request().remoteAddress())).onComplete(ar -> {
                if (ar.failed()) {
                    refuseWith(ctx, refusal.get()); // the app's own refusal: what a publisher of this edge expects
                } else {
                    offer(ctx).ifPresent(sdp -> answered(ctx, "/" + stream, media.publish(stream, sdp)));
                }
            });
        });
    }

    /** Ingest refusals by status, for the operator (p2pedge_whip_refusals_total). */
    private void countRefusals(RoutingContext ctx) {
        ctx.addHeadersEndHandler(v -> {
            if (ctx.response().getStatusCode() >= 400) {
                metrics.whipRefused(ctx.response().getStatusCode());
            }
        });
        ctx.next();
    }

    /** {@code app/stream} from the path parameters, or empty after a 400. */
    private static Optional<String> streamName(RoutingContext ctx) {
        Optional<String> name = StreamPath.parse("/" + ctx.pathParam("app") + "/" + ctx.pathParam("stream"));
        if (name.isEmpty()) {
            refuse(ctx, 400, "stream names are app/stream of letters, digits and ._~-");
        }
        return name;
    }

    /** The SDP offer in the body, or empty after a 415/400. */
    private static Optional<String> offer(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith(SDP)) {
            refuse(ctx, 415, "the body must be an SDP offer (Content-Type: application/sdp)");
            return Optional.empty();
        }
        String offer = ctx.body().asString(StandardCharsets.UTF_8.name());
        if (offer == null || offer.isBlank()) {
            refuse(ctx, 400, "empty body: expected an SDP offer");
            return Optional.empty();
        }
        return Optional.of(offer);
    }

    private static void answered(RoutingContext ctx, String base, Future<MediaApi.Answered> answer) {
        answer.onComplete(ar -> {
            if (ar.failed()) {
                failed(ctx, ar.cause());
                return;
            }
            String location = base + "/" + ar.result().resource();
            // The resource id is the right to end the session: not in the log.
            LOG.info(() -> "HTTP offer from " + ctx.request().remoteAddress() + " answered: " + base);
            ctx.response().setStatusCode(201).putHeader("Content-Type", SDP).putHeader("Location", location)
                    .end(ar.result().sdp());
        });
    }

    private static void ended(RoutingContext ctx, Future<Void> done) {
        done.onComplete(ar -> {
            if (ar.failed()) {
                failed(ctx, ar.cause());
            } else {
                ctx.response().setStatusCode(200).end();
            }
        });
    }

    /**
     * Ends a publication: the URL's app must admit the request, and the media plane ends the resource only if it
     * publishes that very app/stream (a resource id under another app's URL is unknown: 404).
     */
    private void unpublish(RoutingContext ctx) {
        streamName(ctx).filter(stream -> admitted(ctx)).ifPresent(stream ->
                ended(ctx, media.unpublish(stream, ctx.pathParam("resource"))));
    }

    /** Ends a WHEP session, only under its own app/stream URL. */
    private void stopPlaying(RoutingContext ctx) {
        streamName(ctx).ifPresent(stream -> ended(ctx, media.stopPlaying(stream, ctx.pathParam("resource"))));
    }

    /** Whether the URL's app admits this request; else it has been refused (401 with a challenge, or 403). */
    private boolean admitted(RoutingContext ctx) {
        return access.check(ctx.pathParam("app"), ctx.request().getHeader("Authorization")).map(refusal -> {
            refuseWith(ctx, refusal);
            return false;
        }).orElse(true);
    }

    /** 401 with a challenge, or 403. */
    private static void refuseWith(RoutingContext ctx, WhipAccess.Refusal refusal) {
        if (refusal.status() == 401) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
        }
        refuse(ctx, refusal.status(), refusal.reason());
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
