package p2pedge.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import p2pedge.media.StreamDirectory;

import java.util.Optional;

/** The stream directory shared by the cluster: a Hazelcast map, stream name -> owning edge. */
public final class HazelcastStreamDirectory implements StreamDirectory {

    public static final String MAP = "p2p-streams";

    private final Vertx vertx;
    private final IMap<String, String> owners;

    public HazelcastStreamDirectory(Vertx vertx, HazelcastInstance hazelcast) {
        this.vertx = vertx;
        this.owners = hazelcast.getMap(MAP);
    }

    @Override
    public Future<Boolean> claim(String stream, String edgeId) {
        // putIfAbsent is atomic on the key's owner: two edges cannot both claim a name. It blocks on the network.
        return vertx.executeBlocking(() -> owners.putIfAbsent(stream, edgeId) == null, false);
    }

    @Override
    public Future<Void> release(String stream, String edgeId) {
        return vertx.executeBlocking(() -> owners.remove(stream, edgeId), false).mapEmpty();
    }

    @Override
    public Future<Optional<String>> owner(String stream) {
        try {
            return Future.fromCompletionStage(owners.getAsync(stream), vertx.getOrCreateContext()).map(Optional::ofNullable);
        } catch (HazelcastInstanceNotActiveException e) {
            return Future.failedFuture(e); // shutting down: asked as the edge goes
        }
    }

    @Override
    public void purgeEdge(String edgeId) {
        EdgeOwnedEntries.purge(vertx, owners, edgeId);
    }
}
