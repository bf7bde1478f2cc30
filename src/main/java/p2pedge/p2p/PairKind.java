package p2pedge.p2p;

import p2pedge.net.IpLiteral;

import java.io.Serializable;

/**
 * A host -> client pair as the edge can judge it before a relay is tried: whether the two are behind one public
 * address (one network), and else how each one's NAT maps UDP. Relays of one kind tend to succeed or fail alike,
 * so outcomes are learnt per kind ({@link PairOutcomes}).
 */
public record PairKind(boolean oneNetwork, NatMapping host, NatMapping client) implements Serializable {

    public static PairKind of(Reachability host, Reachability client, boolean loopbackIsOneNetwork) {
        boolean sameAddress = host.publicAddress() != null && host.publicAddress().equals(client.publicAddress());
        boolean oneNetwork = sameAddress || loopbackIsOneNetwork && IpLiteral.isLoopback(host.publicAddress())
                && IpLiteral.isLoopback(client.publicAddress());
        return oneNetwork ? new PairKind(true, NatMapping.UNKNOWN, NatMapping.UNKNOWN) : new PairKind(false, host.mapping(), client.mapping());
    }

    /**
     * The edge's prior, before any relay of the kind ended: one network connects (host candidates, mDNS names
     * included, resolve and connect there); across networks both need a measured endpoint-independent mapping
     * (each learnt its public address and port from the edge's STUN, and checks from the peer are let in once it
     * has sent its own). An unmeasured player offers the other nothing but names that do not resolve outside its
     * network; an endpoint-dependent one (symmetric NAT) sends from a port the peer never learns, which a
     * port-restricted NAT on the other side drops. (A symmetric player could still reach a peer with no NAT at
     * all, but the edge cannot tell that peer from one behind a cone NAT.)
     */
    public boolean predictedToConnect() {
        return oneNetwork || host == NatMapping.ENDPOINT_INDEPENDENT && client == NatMapping.ENDPOINT_INDEPENDENT;
    }

    /** For logs and status: "one network", or the two mappings, e.g. "cone>symmetric". */
    public String label() {
        return oneNetwork ? "one network" : name(host) + ">" + name(client);
    }

    private static String name(NatMapping mapping) {
        return switch (mapping) {
            case ENDPOINT_INDEPENDENT -> "cone";
            case ENDPOINT_DEPENDENT -> "symmetric";
            case UNKNOWN -> "unknown";
        };
    }

    @Override
    public String toString() {
        return label();
    }
}
