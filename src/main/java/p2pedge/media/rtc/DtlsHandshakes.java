package p2pedge.media.rtc;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads Bouncy Castle's blocking DTLS engine runs on, apart from Vert.x's worker pool: a handshake waits on
 * its peer for up to seconds, so a few stalled peers must never take the threads that signalling, metrics and
 * everything else on the worker pool need. Bounded: a few threads, a short queue, and a refusal beyond it (the
 * peer retransmits its ClientHello and is taken when there is room). Results hop back to the caller's context.
 */
public final class DtlsHandshakes implements AutoCloseable {

    /** The executor was full: the handshake was not started. */
    public static final class Refused extends RuntimeException {
        Refused() {
            super("DTLS handshakes at capacity", null, false, false);
        }
    }

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ThreadPoolExecutor executor;

    /**
     * @param threads handshakes that run at once
     * @param queued  handshakes that may wait for a thread; more are refused
     */
    public DtlsHandshakes(int threads, int queued) {
        int pool = POOLS.incrementAndGet();
        AtomicInteger count = new AtomicInteger();
        executor = new ThreadPoolExecutor(threads, threads, 5, TimeUnit.SECONDS, new ArrayBlockingQueue<>(Math.max(1, queued)),
                task -> {
                    Thread thread = new Thread(task, "dtls-handshake-" + pool + "-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.AbortPolicy());
        // Idle threads go away: an edge without handshakes holds none.
        executor.allowCoreThreadTimeOut(true);
    }

    /** Runs a blocking task on a handshake thread; its outcome is delivered on {@code context}. Fails with {@link Refused} when full. */
    public <T> Future<T> submit(Context context, Callable<T> task) {
        Promise<T> promise = Promise.promise();
        try {
            executor.execute(() -> {
                try {
                    T result = task.call();
                    context.runOnContext(v -> promise.complete(result));
                } catch (Throwable t) {
                    context.runOnContext(v -> promise.fail(t));
                }
            });
        } catch (RejectedExecutionException e) {
            return Future.failedFuture(new Refused());
        }
        return promise.future();
    }

    /** Handshakes running now. */
    public int active() {
        return executor.getActiveCount();
    }

    /** Handshakes waiting for a thread. */
    public int queued() {
        return executor.getQueue().size();
    }

    /** Stops taking work and interrupts running handshakes (their transports are closed by the port first). */
    @Override
    public void close() {
        executor.shutdownNow();
    }
}
