package p2pedge.signalling.protocol;

import p2pedge.webrtc.IceCandidate;
import p2pedge.webrtc.SessionDescription;

import java.util.List;

/**
 * A message a player sends the edge. {@code id} is the session id the player claims (null when absent);
 * {@code peerId} the peer it addresses (0 = the edge, null when absent).
 */
public sealed interface PlayerMessage {

    Long id();

    /** Whether the message must carry the session's id (OvenPlayer's pong carries none). */
    default boolean requiresId() {
        return true;
    }

    /**
     * @param mapped the project's player page only: the public addresses ("ip:port") its browser learnt from the
     *               edge's two STUN ports just before asking (its NAT probe); empty from other players
     * @param reports the project's player page only ({@code "reports": true}): it reports its relays' state with
     *                {@code stats}, so the edge sees whether it relays
     * @param offerAfterStop the project's player page only ({@code "offer_after_stop": true}): when its host leaves or
     *                       its relay fails, the edge sends the {@code stop} and then, unasked, a new offer (the page
     *                       does not ask again: a failover saves a round trip). OvenPlayer asks again after a stop.
     */
    record RequestOffer(Long id, List<String> mapped, boolean reports, boolean offerAfterStop) implements PlayerMessage {
        @Override
        public boolean requiresId() {
            return false;
        }
    }

    record Answer(Long id, long peerId, SessionDescription sdp) implements PlayerMessage {
    }

    record Candidates(Long id, long peerId, List<IceCandidate> candidates) implements PlayerMessage {
    }

    record Stop(Long id, Long peerId) implements PlayerMessage {
    }

    record Ping(Long id) implements PlayerMessage {
        @Override
        public boolean requiresId() {
            return false;
        }
    }

    record Pong(Long id) implements PlayerMessage {
        @Override
        public boolean requiresId() {
            return false;
        }
    }

    record ChangeRendition(Long id, String renditionName, Boolean auto) implements PlayerMessage {
    }

    /** A Host Peer's offer to its client {@code peerId}. */
    record OfferP2p(Long id, long peerId, SessionDescription sdp, List<IceCandidate> candidates) implements PlayerMessage {
    }

    /** A Host Peer's candidates for its client {@code peerId}. */
    record CandidateP2p(Long id, long peerId, List<IceCandidate> candidates) implements PlayerMessage {
    }

    /**
     * Optional report from project players: the state of the relay with {@code peerId} ("connected",
     * "failed"), the bitrate the player receives, what its relays upload, and/or how often its picture froze on its
     * current connection ({@code freezes}, its browser's count). Unmodified OvenPlayer never sends it.
     */
    record Stats(Long id, long peerId, String relay, Integer kbps, Upload upload, Integer freezes) implements PlayerMessage {
    }

    /**
     * A Host Peer's relays as its browser measures them: {@code relays} sending, {@code sentKbps} together,
     * {@code availableKbps} the browser's estimate of what they could send (-1: not said), {@code limited} an encoder
     * held back by bandwidth or CPU.
     */
    record Upload(int relays, int sentKbps, int availableKbps, boolean limited) {
    }
}
