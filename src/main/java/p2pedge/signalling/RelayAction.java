package p2pedge.signalling;

import p2pedge.p2p.P2pApi;
import p2pedge.webrtc.IceCandidate;
import p2pedge.webrtc.SessionDescription;

import java.util.List;
import java.util.Set;

/** What {@link RelayTable} has its executor do: send, ask, classify, report, time, count. */
sealed interface RelayAction {

    /** A message to a player whose socket is on this edge (dropped if it is gone). */
    record ToPlayer(long session, String text) implements RelayAction {
    }

    /** A message to the host of a relay, wherever its socket is; {@code endsRelay}: its edge forgets the pairing. */
    record ToHost(RelayTable.Peer host, long client, String text, boolean endsRelay) implements RelayAction {
    }

    /**
     * Ask a host on this edge to offer to a client; when it is gone, {@link RelayTable#hostUnreachable}. (A host of
     * another edge is asked by its edge, as it grants the slot.)
     */
    record AskHost(RelayTable.RelayId relay, long host) implements RelayAction {
    }

    /** A host on this edge tells the edge of its client (EdgeLink kinds OFFER, CANDIDATES, HOST_STOPPED, HOST_LEFT, HOST_GONE). */
    record ToClientEdge(String edge, String kind, long host, long client, SessionDescription sdp,
                        List<IceCandidate> candidates) implements RelayAction {
    }

    /**
     * Have classification place the client (its previous hosts excluded); {@code afterStop}: it was just told its relay
     * is over and that an offer follows unasked.
     */
    record Classify(long client, Set<Long> excluded, boolean edgeOnly, boolean reports, boolean afterStop) implements RelayAction {
    }

    /** Tell classification what became of a relay; then, if {@code then} is set, {@link RelayTable#failureRecorded}. */
    record Report(long host, long client, String clientAddress, P2pApi.RelayOutcome outcome, long millis,
                  RelayTable.AfterFailure then) implements RelayAction {
    }

    /**
     * Tell classification how a host's trial went ({@code answered} {@code millis} after it was asked, or never);
     * see {@link RelayTable#placedAsHost}.
     */
    record HostTried(long host, boolean answered, long millis) implements RelayAction {
    }

    /** A moved client's relay connected: its edge connection, kept until now, is closed. */
    record ReleaseEdge(long session) implements RelayAction {
    }

    /** Arm the relay's timer ({@link RelayTable#timerFired} after {@code delayMillis}), replacing one armed before. */
    record ArmTimer(RelayTable.RelayId relay, long delayMillis) implements RelayAction {
    }

    record CancelTimer(RelayTable.RelayId relay) implements RelayAction {
    }

    /** Count: a client was placed again after losing its host. */
    record Replaced(RelayTable.Cause cause) implements RelayAction {
    }

    /** Count: a relay connected. */
    record RelayConnected() implements RelayAction {
    }

    /** Count: a client told to stop got media again {@code nanos} later. */
    record FailedOver(long nanos) implements RelayAction {
    }

    /** Count: a candidate one peer sent was not passed on. */
    record CandidateDropped(PeerCandidateFilter.Reason reason) implements RelayAction {
    }
}
