package p2pedge.testing;

import io.vertx.core.Context;
import io.vertx.core.Future;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Runs a test's step on a Vert.x context (where the code under test keeps its state) and waits for its outcome. */
public final class OnContext {

    private OnContext() {
    }

    /** The outcome of {@code action}, run on {@code context}; its failure is thrown (wrapped), a wait over 10 s too. */
    public static <T> T call(Context context, Supplier<Future<T>> action) throws Exception {
        CompletableFuture<T> done = new CompletableFuture<>();
        context.runOnContext(v -> action.get().onComplete(ar -> {
            if (ar.succeeded()) {
                done.complete(ar.result());
            } else {
                done.completeExceptionally(ar.cause());
            }
        }));
        return done.get(10, TimeUnit.SECONDS);
    }

    /** Runs {@code action} on {@code context} and waits until it has. */
    public static void run(Context context, Runnable action) throws Exception {
        call(context, () -> {
            action.run();
            return Future.succeededFuture();
        });
    }
}
