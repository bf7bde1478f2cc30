package p2pedge.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import p2pedge.signalling.SessionIds;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Session ids unique across the cluster: each id is claimed in a Hazelcast map (id -> edge) by an entry
 * processor, so two edges never hand out the same id and a peer_id always names one player. A joining player does
 * not wait for the cluster: the edge keeps a pool of ids it has already claimed ({@link #POOL}), hands one out at
 * once and claims the next ones in batches (one call for many keys); only an empty pool makes a player wait for a
 * claim of its own. Confined to the context that calls {@link #allocate} (the signalling verticle's).
 */
public final class ClusterSessionIds implements SessionIds {

    public static final String MAP = "p2p-sessions";
    /** Ids claimed ahead: a burst of joins this large is served without a cluster round trip. */
    static final int POOL = 256;
    private static final int MAX_ATTEMPTS = 8;
    private static final Logger LOG = Logger.getLogger(ClusterSessionIds.class.getName());

    private final Vertx vertx;
    private final String edgeId;
    private final IMap<Long, String> ids;
    private final SecureRandom random = new SecureRandom();
    private final Deque<Long> ready = new ArrayDeque<>();
    private boolean refilling;

    public ClusterSessionIds(Vertx vertx, HazelcastInstance hazelcast, String edgeId) {
        this.vertx = vertx;
        this.edgeId = edgeId;
        this.ids = hazelcast.getMap(MAP);
    }

    @Override
    public Future<Long> allocate() {
        Long id = ready.poll();
        if (ready.size() < POOL / 2) {
            refill();
        }
        return id != null ? Future.succeededFuture(id) : claim(MAX_ATTEMPTS);
    }

    /** Ids claimed and not handed out yet. */
    int pooled() {
        return ready.size();
    }

    /** Claims ids up to {@link #POOL} in one call; those another edge holds are skipped. */
    private void refill() {
        if (refilling) {
            return;
        }
        Set<Long> wanted = new HashSet<>();
        while (wanted.size() < POOL - ready.size()) {
            wanted.add(SessionIds.random(random));
        }
        refilling = true;
        Future<Map<Long, Boolean>> claimed;
        try {
            claimed = Future.fromCompletionStage(ids.submitToKeys(wanted, new Claim(edgeId)), vertx.getOrCreateContext());
        } catch (HazelcastInstanceNotActiveException e) {
            claimed = Future.failedFuture(e);
        }
        claimed.onComplete(ar -> {
            refilling = false;
            if (ar.failed()) {
                LOG.fine(() -> "claiming session ids ahead failed (players claim their own meanwhile): " + ar.cause().getMessage());
                return;
            }
            ar.result().forEach((id, free) -> {
                if (free) {
                    ready.add(id);
                }
            });
        });
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
