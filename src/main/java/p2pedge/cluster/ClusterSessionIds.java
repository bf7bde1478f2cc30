package p2pedge.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import p2pedge.signalling.SessionIds;

import java.security.SecureRandom;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Session ids unique across the cluster: each id is claimed in a Hazelcast map (id -> edge) by an entry
 * processor, so two edges never hand out the same id and a peer_id always names one player.
 */
public final class ClusterSessionIds implements SessionIds {

    public static final String MAP = "p2p-sessions";
    private static final int MAX_ATTEMPTS = 8;
    private static final Logger LOG = Logger.getLogger(ClusterSessionIds.class.getName());

    private final Vertx vertx;
    private final String edgeId;
    private final IMap<Long, String> ids;
    private final SecureRandom random = new SecureRandom();

    public ClusterSessionIds(Vertx vertx, HazelcastInstance hazelcast, String edgeId) {
        this.vertx = vertx;
        this.edgeId = edgeId;
        this.ids = hazelcast.getMap(MAP);
    }

    @Override
    public Future<Long> allocate() {
        return claim(MAX_ATTEMPTS);
    }

    private Future<Long> claim(int attemptsLeft) {
        if (attemptsLeft == 0) {
            return Future.failedFuture("no free session id after " + MAX_ATTEMPTS + " attempts");
        }
        long id = SessionIds.random(random);
        // In a split a claim may hang: the player then gets its random id unconfirmed (a clash among 2^31 ids is
        // unlikely, and logged if the late claim finds one) instead of waiting seconds for its offer.
        Future<Boolean> claimed = Future.fromCompletionStage(ids.submitToKey(id, new Claim(edgeId)), vertx.getOrCreateContext());
        return BoundedCall.of(vertx, "session id " + id, claimed, true, late -> {
            if (!late) {
                LOG.severe("session id " + id + ", handed out unconfirmed, is held by another edge too");
            }
        }).compose(free -> free ? Future.succeededFuture(id) : claim(attemptsLeft - 1));
    }

    @Override
    public void release(long id) {
        try {
            ids.removeAsync(id);
        } catch (HazelcastInstanceNotActiveException e) {
            // Shutting down: the survivors free this edge's ids when it leaves the cluster.
        }
    }

    @Override
    public void purgeEdge(String deadEdge) {
        EdgeOwnedEntries.purge(vertx, ids, deadEdge);
    }

    /** Takes the id for an edge if nobody holds it. */
    record Claim(String edgeId) implements EntryProcessor<Long, String, Boolean> {
        @Override
        public Boolean process(Map.Entry<Long, String> entry) {
            if (entry.getValue() != null) {
                return false;
            }
            entry.setValue(edgeId);
            return true;
        }
    }
}
