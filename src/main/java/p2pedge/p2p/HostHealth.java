package p2pedge.p2p;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What is known about a host's relays, by who vouches for it. The edge itself measures how the host answers
 * {@code request_offer_p2p} ({@code offers}, their latency, and {@code hostFailures}: silent or gone); whether a
 * relay then worked only its client can say, so each client report is kept as a witness statement, at most one per
 * witness (a client address, see {@link HostReputation#witnessOf}) and only the latest {@link #MAX_WITNESSES}.
 * {@link HostReputation} weighs it. Immutable: the registry swaps whole values, which keeps a distributed
 * implementation to plain per-key updates.
 *
 * @param hostFailureStreak host failures since its last offer
 * @param reports           latest report of each recent witness, oldest first
 * @param reportedKbps      what the host says it receives itself; -1 before it says
 */
public record HostHealth(int offers, long totalOfferMillis, int hostFailures, int hostFailureStreak,
                         List<RelayReport> reports, int reportedKbps) implements Serializable {

    /** Witnesses remembered per host: bounds the entry whatever clients do. */
    public static final int MAX_WITNESSES = 16;

    public static final HostHealth NEW = new HostHealth(0, 0, 0, 0, List.of(), -1);

    /** One client's word on one relay from the host: it connected or failed, at {@code atMillis} (wall clock). */
    public record RelayReport(String witness, boolean connected, long atMillis) implements Serializable {
    }

    public HostHealth {
        reports = List.copyOf(reports);
    }

    /** The host answered request_offer_p2p with an offer after {@code millis}. */
    public HostHealth offered(long millis) {
        return new HostHealth(offers + 1, totalOfferMillis + millis, hostFailures, 0, reports, reportedKbps);
    }

    /** The host itself failed a relay: it never offered, or vanished. */
    public HostHealth hostFailed() {
        return new HostHealth(offers, totalOfferMillis, hostFailures + 1, hostFailureStreak + 1, reports, reportedKbps);
    }

    /** A client's report replaces what the same witness said before; the oldest witness goes beyond the bound. */
    public HostHealth reported(RelayReport report) {
        List<RelayReport> next = new ArrayList<>(reports.size() + 1);
        for (RelayReport r : reports) {
            if (!r.witness().equals(report.witness())) {
                next.add(r);
            }
        }
        next.add(report);
        if (next.size() > MAX_WITNESSES) {
            next.subList(0, next.size() - MAX_WITNESSES).clear();
        }
        return new HostHealth(offers, totalOfferMillis, hostFailures, hostFailureStreak, next, reportedKbps);
    }

    public HostHealth reportedKbps(int kbps) {
        return new HostHealth(offers, totalOfferMillis, hostFailures, hostFailureStreak, reports, kbps);
    }

    /** Mean time from asking the host to its offer; -1 before the first. */
    public long meanOfferMillis() {
        return offers == 0 ? -1 : totalOfferMillis / offers;
    }
}
