package p2pedge.signalling;

import p2pedge.webrtc.IceCandidate;
import p2pedge.webrtc.SessionDescription;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * What a host's edge said about a relay before this edge knew of it. A host of another edge is asked to offer when
 * its edge grants the slot, so its offer can overtake the grant on its way to this edge's signalling (through the
 * registry and classification). Held until the placement arrives, at most {@link #KEEP_NANOS}, {@link #MAX} messages
 * and {@link #MAX_PER_CLIENT} for one client (a host that floods its client with candidates holds no more than that
 * here): one that outlives that belongs to a reservation given up on, or to a relay that ended.
 */
final class EarlyHostMessages {

    /** Longer than a registry waits for another edge's grant (1.5 s), after which the slot is given back. */
    static final long KEEP_NANOS = 3_000_000_000L;
    static final int MAX = 4_096;
    /** An offer and its candidates, with room: a browser's host sends a handful. */
    static final int MAX_PER_CLIENT = 32;

    /** One message from {@code fromEdge} about the relay from {@code host} to {@code client}: an EdgeLink kind. */
    record Held(long client, long host, String fromEdge, String kind, SessionDescription sdp, List<IceCandidate> candidates,
                long atNanos) {
    }

    /** In arrival order. */
    private final ArrayDeque<Held> held = new ArrayDeque<>();

    /** Holds {@code message}; false when its client has {@link #MAX_PER_CLIENT} held already (it is dropped). */
    boolean hold(Held message) {
        expire(message.atNanos());
        if (held.stream().filter(m -> m.client() == message.client()).count() >= MAX_PER_CLIENT) {
            return false;
        }
        if (held.size() >= MAX) {
            held.removeFirst();
        }
        held.addLast(message);
        return true;
    }

    /** The messages held for the relay from {@code host} on {@code hostEdge} to {@code client}, in arrival order, forgotten. */
    List<Held> take(long client, long host, String hostEdge, long nowNanos) {
        expire(nowNanos);
        List<Held> taken = new ArrayList<>();
        for (Iterator<Held> i = held.iterator(); i.hasNext(); ) {
            Held m = i.next();
            if (m.client() == client && m.host() == host && m.fromEdge().equals(hostEdge)) {
                taken.add(m);
                i.remove();
            }
        }
        return taken;
    }

    /** The client left: nothing of its relays is waiting any more. */
    void forget(long client) {
        held.removeIf(m -> m.client() == client);
    }

    int size() {
        return held.size();
    }

    private void expire(long nowNanos) {
        while (!held.isEmpty() && nowNanos - held.peekFirst().atNanos() > KEEP_NANOS) {
            held.removeFirst();
        }
    }
}
