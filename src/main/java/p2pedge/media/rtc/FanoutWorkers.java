package p2pedge.media.rtc;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Threads that share one source packet's fan-out with the thread that forwards it: the fan-out is cut into slices,
 * one per thread, the forwarding thread runs the first and waits for the others before it returns. So each viewer's
 * state is still touched by one thread at a time, and every slice's writes are seen by whichever thread has that
 * viewer next (a task's submission and its completion order them), while a stream's fan-out uses several cores.
 * Small fan-outs stay on the forwarding thread alone: a hand-off costs more than a few viewers. One forwarding thread
 * at a time (the media context's), as the forwarders it serves.
 */
public final class FanoutWorkers implements AutoCloseable {

    /** Viewers per slice at least: below this a hand-off to another thread costs more than it saves. */
    static final int MIN_SLICE = 64;

    /** A slice of a fan-out: the viewers {@code [from, to)}, on slice {@code index}'s thread. */
    public interface Slice {
        void run(int index, int from, int to);
    }

    private final int threads;
    private final ExecutorService pool;
    /** What each helper thread's slice runs inside (the port's batched sends: a thread's datagrams go together). */
    private final Consumer<Runnable> scope;
    private final Future<?>[] pending;

    /**
     * @param threads the threads a fan-out may use, the forwarding thread included (1: it alone, no pool)
     * @param scope   what each helper's slice runs inside
     */
    public FanoutWorkers(int threads, Consumer<Runnable> scope) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1: " + threads);
        }
        this.threads = threads;
        this.scope = scope;
        this.pending = new Future<?>[threads];
        AtomicInteger made = new AtomicInteger();
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, task -> {
            Thread thread = new Thread(task, "p2p-edge-fanout-" + made.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** How many slices a fan-out of {@code count} viewers is cut into (1: not cut). */
    public int slices(int count) {
        return Math.max(1, Math.min(threads, count / MIN_SLICE));
    }

    /**
     * Runs {@code slice} over {@code [0, count)} cut into {@link #slices} parts, the first on this thread; returns when
     * all have run. A slice that threw is rethrown here (after the others finished).
     */
    public void run(int count, Slice slice) {
        int slices = slices(count);
        int step = (count + slices - 1) / slices;
        for (int s = 1; s < slices; s++) {
            int index = s;
            int from = s * step;
            int to = Math.min(count, from + step);
            pending[s] = pool.submit(() -> scope.accept(() -> slice.run(index, from, to)));
        }
        RuntimeException failure = null;
        try {
            slice.run(0, 0, Math.min(count, step));
        } catch (RuntimeException e) {
            failure = e;
        }
        boolean interrupted = false;
        for (int s = 1; s < slices; s++) {
            // Waited for to the end even when interrupted: returning early would leave viewers' state to two threads.
            while (pending[s] != null) {
                try {
                    pending[s].get();
                    pending[s] = null;
                } catch (ExecutionException e) {
                    pending[s] = null;
                    if (failure == null) {
                        failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The most slices a fan-out is cut into: the buffers a forwarder keeps per slice. */
    public int threads() {
        return threads;
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
