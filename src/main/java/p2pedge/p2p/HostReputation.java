package p2pedge.p2p;

import p2pedge.net.IpLiteral;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * How much a host's record is worth, weighing evidence by who can vouch for it. What the edge measures itself
 * counts as such: a host that never answered request_offer_p2p, or {@code maxHostFailures} times in a row, takes no
 * more clients. Whether a relay worked only its client can say, and a client may lie: its report counts once per
 * witness (a client address; an IPv6 /48, since one subscriber may hold a whole prefix), only for {@code windowMillis}
 * (the record decays), and only {@code minFailureWitnesses} distinct witnesses of a failed relay take a host out, so
 * one client cannot. Success reports raise a host's preference at most once per witness and never above the offers
 * the edge saw it make, so fake clients cannot pump it, and they never cancel failure reports of other witnesses.
 * Pure: the clock (wall-clock milliseconds, comparable across the cluster) is injected.
 */
public final class HostReputation {

    /**
     * @param maxHostFailures     host failures (silent, gone) in a row after which it takes no new clients
     * @param minFailureWitnesses distinct witnesses of failed relays that take a host out
     * @param windowMillis        how long a witness's report counts
     * @param byAddress           witnesses are client addresses; false: sessions (behind a proxy that hides them)
     */
    public record Rules(int maxHostFailures, int minFailureWitnesses, long windowMillis, boolean byAddress) {
    }

    private final Rules rules;
    private final LongSupplier clock;

    public HostReputation(Rules rules, LongSupplier clock) {
        this.rules = rules;
        this.clock = clock;
    }

    public Rules rules() {
        return rules;
    }

    /** The same weighing with another limit on host failures (the {@code ome} policy gives up after one). */
    public HostReputation withMaxHostFailures(int maxHostFailures) {
        return new HostReputation(new Rules(maxHostFailures, rules.minFailureWitnesses(), rules.windowMillis(), rules.byAddress()), clock);
    }

    public long now() {
        return clock.getAsLong();
    }

    /** Whether the host may take another client, on this record. */
    public boolean accepts(HostHealth h) {
        // A host that failed before it ever offered gets no second chance: most such "hosts" are players that never
        // relay at all (OvenPlayer since 0.10.39 never answers request_offer_p2p). Nothing a client does causes that.
        boolean neverOffered = h.offers() == 0 && h.hostFailures() > 0;
        return !neverOffered && h.hostFailureStreak() < rules.maxHostFailures()
                && failureWitnesses(h) < rules.minFailureWitnesses();
    }

    /** Distinct witnesses whose latest report, within the window, is a failed relay. */
    public int failureWitnesses(HostHealth h) {
        return witnesses(h, false);
    }

    /** Distinct witnesses of a working relay within the window, never more than the offers the host made. */
    public int successWitnesses(HostHealth h) {
        return Math.min(witnesses(h, true), h.offers());
    }

    /** Laplace-smoothed share of witnesses that saw the host's relay work: 0.5 for a host nobody vouched for. */
    public double successRate(HostHealth h) {
        int ok = successWitnesses(h);
        return (ok + 1.0) / (ok + failureWitnesses(h) + 2.0);
    }

    /**
     * Who vouches, for a client at {@code address} (the socket's remote IP; null if unknown) in {@code session}: its
     * IPv4 address or IPv6 /48 prefix (an ISP may delegate a /56 or a /48 to one subscriber), or the session when witnesses are sessions or the address is unknown.
     */
    public String witnessOf(String address, long session) {
        InetAddress ip = rules.byAddress() ? IpLiteral.parse(address) : null;
        if (ip == null) {
            return "session " + session;
        }
        if (ip instanceof Inet6Address) {
            byte[] b = ip.getAddress();
            return String.format("%02x%02x:%02x%02x:%02x%02x::/48", b[0], b[1], b[2], b[3], b[4], b[5]);
        }
        return ip.getHostAddress();
    }

    private int witnesses(HostHealth h, boolean connected) {
        // Placement weighs every open host: most have no report of the kind asked, and cost neither a set nor the clock.
        Set<String> seen = null;
        long since = 0;
        for (HostHealth.RelayReport r : h.reports()) {
            if (r.connected() != connected) {
                continue;
            }
            if (seen == null) {
                seen = new HashSet<>();
                since = clock.getAsLong() - rules.windowMillis();
            }
            if (r.atMillis() > since) {
                seen.add(r.witness());
            }
        }
        return seen == null ? 0 : seen.size();
    }
}
