package p2pedge.p2p;

/**
 * What is measured about a host's relays. Immutable: the registry swaps whole values, which keeps a
 * distributed implementation to plain per-key updates.
 */
public record HostHealth(int relaysConnected, int relaysFailed, int consecutiveFailures, long totalConnectMillis,
                         int reportedKbps) implements java.io.Serializable {

    public static final HostHealth NEW = new HostHealth(0, 0, 0, 0, -1);

    public HostHealth connected(long connectMillis) {
        return new HostHealth(relaysConnected + 1, relaysFailed, 0, totalConnectMillis + connectMillis, reportedKbps);
    }

    public HostHealth failed() {
        return new HostHealth(relaysConnected, relaysFailed + 1, consecutiveFailures + 1, totalConnectMillis, reportedKbps);
    }

    public HostHealth reported(int kbps) {
        return new HostHealth(relaysConnected, relaysFailed, consecutiveFailures, totalConnectMillis, kbps);
    }

    /** Mean time from placement to a connected relay; -1 before the first. */
    public long meanConnectMillis() {
        return relaysConnected == 0 ? -1 : totalConnectMillis / relaysConnected;
    }
}
