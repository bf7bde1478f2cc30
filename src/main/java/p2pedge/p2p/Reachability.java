package p2pedge.p2p;

import p2pedge.net.IpLiteral;

import java.io.Serializable;
import java.net.InetAddress;
import java.util.Collection;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How other players can reach a player, as far as the edge can check it: the public address its signalling
 * socket comes from, and how its NAT maps UDP (measured with the edge's STUN ports). Pure and serializable: a
 * Host Peer's travels in the cluster's registry with its entry.
 *
 * @param publicAddress the IP the edge sees the player's socket come from (a home's NAT, or the player itself)
 */
public record Reachability(String publicAddress, NatMapping mapping) implements Serializable {

    /** A player whose NAT the edge knows nothing about. */
    public static Reachability unmeasured(String publicAddress) {
        return new Reachability(publicAddress, NatMapping.UNKNOWN);
    }

    /** The edge's STUN ports a probe is measured against. */
    private static final int STUN_PORTS = 2;

    /** A server-reflexive address the edge's STUN service answered: the edge's port, and the player's address and port. */
    public record Observed(int serverPort, String address, int port) {
    }

    /**
     * What the player's probe shows: {@code reported} are the server-reflexive addresses its browser gathered
     * against the edge's STUN ports ("ip:port"), {@code observed} what those ports answered for its public
     * address. Only what the edge saw itself counts, and only for the player's own public address; a mapping is
     * measured when the edge saw the player's reported ports at both its STUN ports (the media port and the
     * second one): the same port towards both, or not.
     */
    public static NatMapping mapping(String publicAddress, Collection<String> reported, Collection<Observed> observed) {
        InetAddress own = IpLiteral.parse(publicAddress);
        if (own == null) {
            return NatMapping.UNKNOWN;
        }
        Set<Integer> reportedPorts = reported.stream().map(Reachability::portIfOf).filter(p -> p > 0)
                .collect(Collectors.toSet());
        Set<Observed> seen = observed.stream()
                .filter(o -> own.equals(IpLiteral.parse(o.address())) && reportedPorts.contains(o.port()))
                .collect(Collectors.toSet());
        Set<Integer> servers = seen.stream().map(Observed::serverPort).collect(Collectors.toSet());
        if (servers.size() < STUN_PORTS) {
            return NatMapping.UNKNOWN;
        }
        long ports = seen.stream().map(Observed::port).distinct().count();
        return ports == 1 ? NatMapping.ENDPOINT_INDEPENDENT : NatMapping.ENDPOINT_DEPENDENT;
    }

    /** The port of "ip:port" (or "[v6]:port"), 0 when it is not one. */
    private static int portIfOf(String endpoint) {
        int colon = endpoint == null ? -1 : endpoint.lastIndexOf(':');
        if (colon <= 0 || IpLiteral.parse(endpoint.substring(0, colon)) == null) {
            return 0;
        }
        try {
            int port = Integer.parseInt(endpoint.substring(colon + 1));
            return port > 0 && port < 65536 ? port : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
