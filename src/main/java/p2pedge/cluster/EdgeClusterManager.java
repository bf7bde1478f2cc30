package p2pedge.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.config.Config;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * vertx-hazelcast's cluster manager, minding only members that are Vert.x nodes. A plain Hazelcast member with the
 * cluster's configuration (a management tool, a stray process) has no node id: the stock manager would add a null
 * node on its arrival and fail with an NPE on its departure, skipping its own bookkeeping. Such a member is logged
 * by {@link EdgeCluster} and otherwise ignored here.
 */
final class EdgeClusterManager extends HazelcastClusterManager {

    EdgeClusterManager(Config config) {
        super(config);
    }

    @Override
    public synchronized void memberAdded(MembershipEvent event) {
        if (isNode(event.getMember())) {
            super.memberAdded(event);
        }
    }

    @Override
    public synchronized void memberRemoved(MembershipEvent event) {
        if (isNode(event.getMember())) {
            super.memberRemoved(event);
        }
    }

    static boolean isNode(Member member) {
        return member.getAttribute(EdgeCluster.NODE_ID_ATTRIBUTE) != null;
    }
}
