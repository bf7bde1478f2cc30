package p2pedge.cluster;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * A cluster call a player waits for only so long. In the first seconds of a network split, until Hazelcast drops
 * the members it cannot reach, a call on a partition owned across the cut hangs; a viewer must not wait with it.
 * After {@link #WAIT_MILLIS} the caller gets a fallback, and a result that still arrives goes to a handler that
 * undoes or reports what it did. A failure in time is the caller's; a failure after the fallback is dropped.
 */
final class BoundedCall {

    private static final Logger LOG = Logger.getLogger(BoundedCall.class.getName());

    /** How long a player's placement or id may wait for the cluster. */
    static final long WAIT_MILLIS = 1_500;

    private BoundedCall() {
    }

    /**
     * {@code call}, or {@code fallback} once it has taken {@link #WAIT_MILLIS} (logged with {@code what}); its
     * result after that goes to {@code late}.
     */
    static <T> Future<T> of(Vertx vertx, String what, Future<T> call, T fallback, Consumer<T> late) {
        Promise<T> result = Promise.promise();
        long timer = vertx.setTimer(WAIT_MILLIS, t -> {
            if (result.tryComplete(fallback)) {
                LOG.warning(what + ": no answer from the cluster within " + WAIT_MILLIS + " ms, going on without it");
            }
        });
        call.onComplete(ar -> {
            vertx.cancelTimer(timer);
            boolean inTime = ar.succeeded() ? result.tryComplete(ar.result()) : result.tryFail(ar.cause());
            if (!inTime && ar.succeeded()) {
                late.accept(ar.result());
            }
        });
        return result.future();
    }
}
