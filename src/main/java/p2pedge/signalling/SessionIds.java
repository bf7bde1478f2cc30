package p2pedge.signalling;

import io.vertx.core.Future;

/** Random positive 31-bit session ids, unique among live sessions of every edge (0 is the edge itself). */
public interface SessionIds {

    Future<Long> allocate();

    void release(long id);

    /** An edge is gone: its ids are free again (idempotent, a no-op when standalone). */
    default void purgeEdge(String edgeId) {
    }
}
