package p2pedge.p2p;

import java.io.Serializable;

/** Something measured about a host's relays, applied to its {@link HostHealth} where the entry lives. */
public record HealthEvent(Kind kind, long connectMillis, int kbps) implements Serializable {

    public enum Kind { RELAY_CONNECTED, RELAY_FAILED, REPORTED }

    public static HealthEvent connected(long connectMillis) {
        return new HealthEvent(Kind.RELAY_CONNECTED, connectMillis, 0);
    }

    public static HealthEvent failed() {
        return new HealthEvent(Kind.RELAY_FAILED, 0, 0);
    }

    public static HealthEvent reported(int kbps) {
        return new HealthEvent(Kind.REPORTED, 0, kbps);
    }

    public HostHealth applyTo(HostHealth health) {
        return switch (kind) {
            case RELAY_CONNECTED -> health.connected(connectMillis);
            case RELAY_FAILED -> health.failed();
            case REPORTED -> health.reported(kbps);
        };
    }
}
