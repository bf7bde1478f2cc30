package p2pedge.signalling;

import io.vertx.core.Future;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;

/** Session ids of a standalone edge. Event-loop confined. */
public final class LocalSessionIds implements SessionIds {

    private final SecureRandom random = new SecureRandom();
    private final Set<Long> live = new HashSet<>();

    @Override
    public Future<Long> allocate() {
        while (true) {
            long id = SessionIds.random(random);
            if (live.add(id)) {
                return Future.succeededFuture(id);
            }
        }
    }

    @Override
    public void release(long id) {
        live.remove(id);
    }
}
