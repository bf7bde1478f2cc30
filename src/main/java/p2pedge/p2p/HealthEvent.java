package p2pedge.p2p;

import java.io.Serializable;

/**
 * Something learnt about a host's relays, applied to its {@link HostHealth} where the entry lives (on another
 * cluster member, maybe): so it carries its own time and witness, and applying it decides nothing.
 */
public record HealthEvent(Kind kind, long millis, int kbps, HostHealth.RelayReport report) implements Serializable {

    public enum Kind { OFFERED, HOST_FAILED, RELAY_REPORT, KBPS }

    /** Measured by the edge: the host offered, {@code millis} after it was asked. */
    public static HealthEvent offered(long millis) {
        return new HealthEvent(Kind.OFFERED, millis, 0, null);
    }

    /** Measured by the edge: the host never offered, or is gone. */
    public static HealthEvent hostFailed() {
        return new HealthEvent(Kind.HOST_FAILED, 0, 0, null);
    }

    /** A client's word (or its host's, about that client's relay) on whether a relay worked. */
    public static HealthEvent relay(String witness, boolean connected, long atMillis) {
        return new HealthEvent(Kind.RELAY_REPORT, 0, 0, new HostHealth.RelayReport(witness, connected, atMillis));
    }

    /** The host's own report of what it receives. */
    public static HealthEvent kbps(int kbps) {
        return new HealthEvent(Kind.KBPS, 0, kbps, null);
    }

    public HostHealth applyTo(HostHealth health) {
        return switch (kind) {
            case OFFERED -> health.offered(millis);
            case HOST_FAILED -> health.hostFailed();
            case RELAY_REPORT -> health.reported(report);
            case KBPS -> health.reportedKbps(kbps);
        };
    }
}
