package p2pedge.signalling;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The players' keep-alive spread over the ping interval: each tick visits its share of the members, and every member
 * is visited exactly once per lap, however members join and leave meanwhile. Walking all players in one event-loop
 * task stalls every other player on that loop for as long as the walk takes (at 10,000 players a probe player waited
 * up to 300 ms in bench/signalling.sh).
 * Members are kept in an array split at a cursor: visited this lap before it, not yet visited from it on.
 */
final class KeepAliveRing<T> {

    private final List<T> members = new ArrayList<>();
    private final Map<T, Integer> slots = new HashMap<>();
    private final int ticksPerLap;
    private int cursor;
    private long laps;

    /** @param ticksPerLap how many ticks one lap over all members takes (the ping interval / the tick period) */
    KeepAliveRing(int ticksPerLap) {
        if (ticksPerLap < 1) {
            throw new IllegalArgumentException("ticksPerLap must be at least 1: " + ticksPerLap);
        }
        this.ticksPerLap = ticksPerLap;
    }

    /** Adds a member, visited later in the current lap. */
    void add(T member) {
        if (slots.putIfAbsent(member, members.size()) == null) {
            members.add(member);
        }
    }

    /** Removes a member (no-op for one not in the ring); the others keep their place in the lap. */
    void remove(T member) {
        Integer slot = slots.remove(member);
        if (slot == null) {
            return;
        }
        int last = members.size() - 1;
        int at = slot;
        if (at < cursor) {
            // A visited member leaves: the last visited one takes its place, and the visited part shrinks by one.
            move(cursor - 1, at);
            at = cursor - 1;
            cursor--;
        }
        // The hole is now in the unvisited part (or at its edge): the last member fills it.
        move(last, at);
        members.remove(last);
        if (cursor > members.size()) {
            cursor = members.size();
        }
    }

    private void move(int from, int to) {
        if (from != to) {
            T member = members.get(from);
            members.set(to, member);
            slots.put(member, to);
        }
    }

    /** One tick: visits this tick's share of the members (ceil(size / ticksPerLap)), starting a new lap when due. */
    void tick(Consumer<T> visit) {
        int share = (members.size() + ticksPerLap - 1) / ticksPerLap;
        for (int i = 0; i < share && !members.isEmpty(); i++) {
            if (cursor >= members.size()) {
                cursor = 0;
                laps++;
            }
            // The visit may remove this very member (an idle player closed): the cursor moves on first.
            visit.accept(members.get(cursor++));
        }
    }

    int size() {
        return members.size();
    }

    /** Laps begun after the first (a lap begins when the cursor, past every member, goes back to the first). */
    long laps() {
        return laps;
    }
}
