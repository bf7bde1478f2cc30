package p2pedge.p2p;

/**
 * What classification knows of a player from its User-Agent.
 * @param family  peers relay only within a family (the same browser engine, or the reference's browser type);
 *                null: compatible with no host
 * @param mayHost whether the player may relay to others at all
 * @param summary short human-readable description for logs and the admin view
 */
public record PeerProfile(String family, boolean mayHost, String summary) {
}
