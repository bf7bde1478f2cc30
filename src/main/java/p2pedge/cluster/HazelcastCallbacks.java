package p2pedge.cluster;

import java.util.concurrent.ForkJoinPool;

/**
 * Where Hazelcast runs the callbacks of its async operations (every map write, entry processor, event-bus lookup):
 * on ForkJoinPool's common pool, unless that pool has a single worker, which is the JVM's default on a machine of
 * two cores or fewer. Then it starts a new thread for each callback: some 80,000 threads on one edge in a
 * seven-minute cluster bench, their start and teardown 13 % of its CPU and a delay on every cross-edge placement.
 */
public final class HazelcastCallbacks {

    static final String PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    private HazelcastCallbacks() {
    }

    /**
     * Gives the common pool at least two workers unless the operator sized it. Takes effect only before anything
     * has used ForkJoinPool (the first thing {@code Main} does); {@link #pooled()} says whether it did.
     */
    public static void reserveWorkers() {
        if (System.getProperty(PARALLELISM) == null) {
            System.setProperty(PARALLELISM, Integer.toString(workersFor(Runtime.getRuntime().availableProcessors())));
        }
    }

    /** The JVM's own choice (one fewer than the cores), but never below the two that keep Hazelcast on the pool. */
    static int workersFor(int cores) {
        return Math.max(2, cores - 1);
    }

    /** Whether Hazelcast's callbacks run on the pool, rather than on a thread started for each. */
    public static boolean pooled() {
        return ForkJoinPool.getCommonPoolParallelism() > 1;
    }
}
