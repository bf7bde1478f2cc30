package p2pedge.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.KubernetesConfig;
import p2pedge.config.EdgeConfig;

/**
 * {@code cluster.discovery} kubernetes: Hazelcast's built-in Kubernetes join in place of the TCP-IP list, by a DNS
 * lookup of a headless service, or else by the service's endpoints read from the Kubernetes API.
 */
final class KubernetesJoin {

    private KubernetesJoin() {
    }

    static void apply(Config config, EdgeConfig.Cluster cluster) {
        JoinConfig join = config.getNetworkConfig().getJoin();
        // Hazelcast refuses to start with two join methods on.
        join.getTcpIpConfig().setEnabled(false);
        KubernetesConfig kubernetes = join.getKubernetesConfig().setEnabled(true);
        EdgeConfig.Kubernetes k = cluster.kubernetes();
        // Hazelcast refuses DNS and API properties together: serviceDns, when set, is the one used.
        if (!k.serviceDns().isEmpty()) {
            kubernetes.setProperty("service-dns", k.serviceDns());
        } else {
            kubernetes.setProperty("service-name", k.serviceName());
            if (!k.namespace().isEmpty()) {
                kubernetes.setProperty("namespace", k.namespace());
            }
        }
        // Discovery yields addresses and every edge dials them on cluster.port: a member that found its port taken
        // and moved to the next (auto-increment) would be out of sight, so it fails to start instead.
        kubernetes.setProperty("service-port", Integer.toString(cluster.port()));
        config.getNetworkConfig().setPortAutoIncrement(false);
        // The interface stays pinned to cluster.host, which must then be the pod's IP (downward API status.podIP;
        // EdgeConfig refuses loopback). Hazelcast's own pick is no good with hostNetwork: the pod sees every
        // interface of the node (bridges, a public one), while the headless service's DNS names the pod IP, and
        // members must announce the address the others discover.
    }
}
