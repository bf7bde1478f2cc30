package p2pedge;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import p2pedge.config.EdgeConfig;
import p2pedge.media.MediaVerticle;
import p2pedge.p2p.LocalHostRegistry;
import p2pedge.p2p.PeerClassificationVerticle;
import p2pedge.signalling.SignallingVerticle;

/** One edge node: its verticles deployed on a Vert.x instance, started and stopped in dependency order. */
public final class Edge {

    private final Vertx vertx;
    private final SignallingVerticle signalling;
    /** Deployment ids, in deployment order. */
    private final List<String> deployments;

    private Edge(Vertx vertx, SignallingVerticle signalling, List<String> deployments) {
        this.vertx = vertx;
        this.signalling = signalling;
        this.deployments = deployments;
    }

    public static Future<Edge> start(Vertx vertx, EdgeConfig config) {
        SignallingVerticle signalling = new SignallingVerticle(config);
        List<String> deployed = new ArrayList<>();
        return vertx.deployVerticle(new MediaVerticle(config), new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
                .compose(id -> {
                    deployed.add(id);
                    return vertx.deployVerticle(new PeerClassificationVerticle(config.p2p(), new LocalHostRegistry()));
                })
                .compose(id -> {
                    deployed.add(id);
                    return vertx.deployVerticle(signalling);
                })
                .map(id -> {
                    deployed.add(id);
                    return new Edge(vertx, signalling, List.copyOf(deployed));
                })
                .recover(t -> undeployInReverse(vertx, deployed).transform(v -> Future.failedFuture(t)));
    }

    public int signallingPort() {
        return signalling.port();
    }

    /** Closes players' sockets first, then classification, then the media plane with every native object it holds. */
    public Future<Void> stop() {
        return undeployInReverse(vertx, deployments);
    }

    private static Future<Void> undeployInReverse(Vertx vertx, List<String> deployments) {
        Future<Void> chain = Future.succeededFuture();
        for (int i = deployments.size() - 1; i >= 0; i--) {
            String id = deployments.get(i);
            chain = chain.eventually(() -> vertx.undeploy(id));
        }
        return chain;
    }
}
