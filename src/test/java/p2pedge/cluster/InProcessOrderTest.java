package p2pedge.cluster;

import io.vertx.core.Completable;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import p2pedge.p2p.P2pApi;
import p2pedge.p2p.Reachability;
import p2pedge.testing.AutoPlayer;
import p2pedge.testing.TestCluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Signalling asks classification to place a player and, when the player goes, tells it so: two messages to two
 * addresses of one edge, which must arrive in the order sent. A clustered event bus looks up who listens on an
 * address before it delivers, one queue per address, and such a lookup can be slow (its entry on a member that is
 * busy, far or dying): here the cluster manager answers lookups of the classification address late, as such a
 * member would. Sent the cluster's way, each leave then overtook its classification, which registered a host for a
 * player already gone (seen in ClusterChurnTest: hosts no edge ever withdrew).
 */
@Tag("cluster")
class InProcessOrderTest {

    private static final int PLAYERS = 20;
    private static final long SLOW_LOOKUP_MILLIS = 300;

    /** Vert.x's Hazelcast cluster manager, answering lookups of one address late. */
    private static final class SlowLookups extends HazelcastClusterManager {

        private final String slowAddress;

        SlowLookups(com.hazelcast.config.Config config, String slowAddress) {
            super(config);
            this.slowAddress = slowAddress;
        }

        @Override
        public void getRegistrations(String address, Completable<List<RegistrationInfo>> promise) {
            if (address.equals(slowAddress)) {
                CompletableFuture.delayedExecutor(SLOW_LOOKUP_MILLIS, TimeUnit.MILLISECONDS)
                        .execute(() -> super.getRegistrations(address, promise));
            } else {
                super.getRegistrations(address, promise);
            }
        }
    }

    @Test
    void aLeaveNeverOvertakesTheClassificationSentBeforeIt() throws Exception {
        try (TestCluster cluster = new TestCluster(new JsonObject().put("p2p", new JsonObject().put("policy", "ome")))) {
            TestCluster.Member edge = cluster.start(c -> new SlowLookups(EdgeCluster.hazelcastConfig(c), P2pApi.CLASSIFY));
            P2pApi p2p = new P2pApi(edge.vertx.eventBus(), 10_000);
            Context context = edge.vertx.getOrCreateContext();
            Promise<Void> answered = Promise.promise();
            context.runOnContext(v -> {
                List<Future<?>> replies = new ArrayList<>();
                for (long session = 1; session <= PLAYERS; session++) {
                    replies.add(p2p.classify(session, "app/stream", AutoPlayer.CHROME_UA, Reachability.unmeasured("127.0.0.1"),
                            Set.of(), false, false));
                    replies.add(p2p.leave(session));
                }
                Future.all(replies).<Void>mapEmpty().onComplete(answered);
            });
            answered.future().await(10, TimeUnit.SECONDS);
            JsonArray ghosts = p2p.hosts().await(10, TimeUnit.SECONDS);
            assertEquals(0, ghosts.size(), PLAYERS + " players came and left; hosts left behind: " + ghosts.encode());
        }
    }
}
