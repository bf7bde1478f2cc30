/**
 * Who may play: the signed player tokens (JWT) the signalling port checks before anything else, and what a token
 * allows (a stream or streams, the player's address, P2P roles). Uses the configuration only.
 */
package p2pedge.admission;
