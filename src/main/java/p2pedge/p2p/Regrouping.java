package p2pedge.p2p;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * Which edge-served players of this edge become clients of a host, so that they fill free slots without waiting for
 * new joiners: hosts with no client (after a failover both orphans of a host are edge-served hosts with free slots:
 * one playing from the other halves the edge's traffic), and players that may not host (a phone) or found no slot
 * when they came. Pure: the caller gives the registry as it is now and executes
 * the moves (reserve a slot on the target, then take the mover out of the registry, atomically checking it still
 * has no client).
 *
 * <p>A mover is an edge-served player (a host with no client, or one that does not host) that reports its relays
 * (the project's page: it switches make-before-break, so its picture never stops; OvenPlayer restarts its player on a
 * new offer and is never moved while playing), whose current edge connection has carried media for
 * {@link Rules#settleMillis} and which has not moved for {@link Rules#minMoveIntervalMillis}. A target is another
 * host of the same stream and family that takes clients, with a free slot left this round, that has not failed the
 * mover and that the caller says may serve it. Two hosts with no client never move onto each other: only onto a
 * host that has clients, or whose id is lower (the same order on every edge); a player that does not host may move
 * onto any host.
 */
public final class Regrouping {

    /**
     * @param settleMillis          a host's current edge connection carries media this long before it may move
     * @param minMoveIntervalMillis at most one move per player this often
     * @param maxMovesPerRound      moves decided at once on this edge
     */
    public record Rules(long settleMillis, long minMoveIntervalMillis, int maxMovesPerRound) {
    }

    /**
     * A player of this edge that may move: its id, whether it reports its relays, since when its current edge
     * connection carries media, when it last moved (a very old time when never); {@code notHosting}: it is no host
     * (null for a host, which the registry describes).
     */
    public record Candidate(long session, boolean reports, long mediaSinceMillis, long lastMovedMillis, NotHosting notHosting) {
        /** A host with no client. */
        public Candidate(long session, boolean reports, long mediaSinceMillis, long lastMovedMillis) {
            this(session, reports, mediaSinceMillis, lastMovedMillis, null);
        }
    }

    /** An edge-served player that is not in the registry: what a target must match, and the hosts that failed it. */
    public record NotHosting(String stream, String family, Reachability reachability, Set<Long> excludedHosts) {
    }

    /** {@code session} plays from {@code to} from now on. */
    public record Move(long session, HostEntry to) {
    }

    private final Rules rules;
    private final ClassificationPolicy policy;

    public Regrouping(Rules rules, ClassificationPolicy policy) {
        this.rules = rules;
        this.policy = policy;
    }

    /**
     * @param candidates players of this edge that might move (those that do not host first: a host may still get
     *                   clients of its own)
     * @param hosts      every host of the registry, as it is now
     * @param mayServe   whether a relay from the host to a player reachable so is tried (NAT prediction, learnt pairs)
     */
    public List<Move> moves(List<Candidate> candidates, List<HostEntry> hosts, BiPredicate<HostEntry, Reachability> mayServe,
                            long nowMillis) {
        Map<Long, HostEntry> byId = new HashMap<>();
        Map<Long, Integer> freeSlots = new HashMap<>();
        for (HostEntry h : hosts) {
            byId.put(h.hostId(), h);
            freeSlots.put(h.hostId(), policy.acceptsClients(h) ? h.freeSlots() : 0);
        }
        List<Move> moves = new ArrayList<>();
        Set<Long> moving = new HashSet<>();
        Set<Long> targets = new HashSet<>();
        for (Candidate c : candidates) {
            if (moves.size() >= rules.maxMovesPerRound()) {
                break;
            }
            HostEntry own = byId.get(c.session());
            boolean hosting = c.notHosting() == null;
            if ((hosting ? own == null || !own.clients().isEmpty() : own != null) || !mayMove(c, nowMillis)
                    || targets.contains(c.session())) {
                continue;
            }
            NotHosting mover = hosting ? new NotHosting(own.stream(), own.family(), own.reachability(), Set.of()) : c.notHosting();
            HostEntry best = hosts.stream()
                    .filter(h -> h.hostId() != c.session() && !moving.contains(h.hostId()) && !mover.excludedHosts().contains(h.hostId())
                            && freeSlots.getOrDefault(h.hostId(), 0) > 0
                            && h.stream().equals(mover.stream()) && h.family().equals(mover.family())
                            && (!hosting || !h.clients().isEmpty() || h.hostId() < c.session())
                            && mayServe.test(h, mover.reachability()))
                    // Fill hosts that already relay first (fewer hosts to lose), then the best standing.
                    .max(Comparator.<HostEntry>comparingInt(h -> h.clients().size()).thenComparingDouble(policy::score))
                    .orElse(null);
            if (best != null) {
                moves.add(new Move(c.session(), best));
                moving.add(c.session());
                targets.add(best.hostId());
                freeSlots.merge(best.hostId(), -1, Integer::sum);
            }
        }
        return moves;
    }

    /** Whether the player itself may move now (it must also have no client, which the registry says). */
    boolean mayMove(Candidate c, long nowMillis) {
        return c.reports() && c.mediaSinceMillis() >= 0
                && nowMillis - c.mediaSinceMillis() >= rules.settleMillis()
                && nowMillis - c.lastMovedMillis() >= rules.minMoveIntervalMillis();
    }
}
