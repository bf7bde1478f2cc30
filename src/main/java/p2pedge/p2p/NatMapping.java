package p2pedge.p2p;

/**
 * How a player's NAT maps its UDP sockets, as the edge measured it: one socket's address seen from the edge's two
 * STUN ports (RFC 4787 terms).
 */
public enum NatMapping {
    /** The same public address and port towards every destination: a cone NAT, or no NAT at all. */
    ENDPOINT_INDEPENDENT,
    /** A new public port per destination (a symmetric NAT): a peer's checks to the address the edge saw never arrive. */
    ENDPOINT_DEPENDENT,
    /** Not measured: the player did not probe (OvenPlayer, the per-viewer plane), or its UDP did not reach the edge. */
    UNKNOWN
}
