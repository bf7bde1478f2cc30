package p2pedge.cluster;

import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Hazelcast maps whose values are the id of the edge that owns the entry (session ids, stream names). */
final class EdgeOwnedEntries {

    private EdgeOwnedEntries() {
    }

    /** Removes every entry of {@code edgeId}; on a worker, as it waits on the network. */
    static <K> Future<Void> purge(Vertx vertx, IMap<K, String> map, String edgeId) {
        return vertx.executeBlocking(() -> {
            map.removeAll(entry -> edgeId.equals(entry.getValue()));
            return null;
        }, false);
    }
}
