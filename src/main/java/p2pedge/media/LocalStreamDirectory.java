package p2pedge.media;

import io.vertx.core.Future;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The stream directory of a standalone edge. */
public final class LocalStreamDirectory implements StreamDirectory {

    private final Map<String, String> owners = new ConcurrentHashMap<>();

    @Override
    public Future<Boolean> claim(String stream, String edgeId) {
        return Future.succeededFuture(owners.putIfAbsent(stream, edgeId) == null);
    }

    @Override
    public Future<Void> release(String stream, String edgeId) {
        owners.remove(stream, edgeId);
        return Future.succeededFuture();
    }

    @Override
    public Future<Optional<String>> owner(String stream) {
        return Future.succeededFuture(Optional.ofNullable(owners.get(stream)));
    }

    @Override
    public void purgeEdge(String edgeId) {
        owners.values().removeIf(edgeId::equals);
    }
}
