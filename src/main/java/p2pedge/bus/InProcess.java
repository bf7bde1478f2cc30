package p2pedge.bus;

import io.vertx.core.eventbus.DeliveryOptions;

/**
 * Delivery between the verticles of one edge. On a clustered event bus a send, request or publish that is not
 * local-only first asks the cluster which nodes listen on its address, in a queue per address: two messages to two
 * addresses can then arrive in the other order while membership changes (a player's leave reached classification
 * before its classification, which then registered a host that nobody would ever withdraw). Local-only delivery
 * keeps the order in which one verticle sent, and skips the lookup. Messages to other edges keep the cluster's path.
 */
public final class InProcess {

    /** For publishes and one-way sends. Never mutated (a fresh copy for each timeout below). */
    public static final DeliveryOptions ONLY = new DeliveryOptions().setLocalOnly(true);

    private InProcess() {
    }

    /** For requests: local-only, answered within {@code timeoutMillis}. */
    public static DeliveryOptions within(long timeoutMillis) {
        return new DeliveryOptions().setLocalOnly(true).setSendTimeout(timeoutMillis);
    }
}
