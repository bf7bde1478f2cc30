package p2pedge.signalling;

import io.vertx.core.Future;

/**
 * Random positive session ids below {@link #LIMIT}, unique among live sessions of every edge (0 is the edge itself).
 * Peer ids from {@code LIMIT} up to 2^31 - 1 are never a session's: the edge's host trials use them (still 31-bit,
 * as every id in the protocol).
 */
public interface SessionIds {

    long LIMIT = 1L << 30;

    /** A random id in [1, LIMIT). */
    static long random(java.util.Random random) {
        return 1 + random.nextInt((int) LIMIT - 1);
    }

    Future<Long> allocate();

    void release(long id);

    /** An edge is gone: its ids are free again (idempotent, a no-op when standalone). */
    default void purgeEdge(String edgeId) {
    }
}
