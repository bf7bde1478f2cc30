package p2pedge;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import p2pedge.config.EdgeConfig;
import p2pedge.media.MediaVerticle;
import p2pedge.signalling.SignallingVerticle;

/** One edge node: its verticles deployed on a Vert.x instance, started and stopped in dependency order. */
public final class Edge {

    private final Vertx vertx;
    private final SignallingVerticle signalling;
    private final String mediaDeployment;
    private final String signallingDeployment;

    private Edge(Vertx vertx, SignallingVerticle signalling, String mediaDeployment, String signallingDeployment) {
        this.vertx = vertx;
        this.signalling = signalling;
        this.mediaDeployment = mediaDeployment;
        this.signallingDeployment = signallingDeployment;
    }

    public static Future<Edge> start(Vertx vertx, EdgeConfig config) {
        SignallingVerticle signalling = new SignallingVerticle(config);
        return vertx.deployVerticle(new MediaVerticle(config),
                        new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
                .compose(media -> vertx.deployVerticle(signalling)
                        .map(sig -> new Edge(vertx, signalling, media, sig))
                        .recover(t -> vertx.undeploy(media).transform(v -> Future.failedFuture(t))));
    }

    public int signallingPort() {
        return signalling.port();
    }

    /** Closes players' sockets first, then the media plane with every native object it holds. */
    public Future<Void> stop() {
        return vertx.undeploy(signallingDeployment)
                .eventually(() -> vertx.undeploy(mediaDeployment));
    }
}
