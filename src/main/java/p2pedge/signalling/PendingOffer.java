package p2pedge.signalling;

import p2pedge.net.PerAddressCap;

/**
 * One session's claim on its address's allowance of unanswered offers: held from request_offer until the player
 * answers, becomes a peer's client, or goes. Confined to the signalling verticle's context.
 */
final class PendingOffer {

    private final PerAddressCap offers;
    private final String address;
    private boolean held;

    PendingOffer(PerAddressCap offers, String address) {
        this.offers = offers;
        this.address = address;
    }

    /** Holds one (once per session however often it asks), unless the address already holds its cap. */
    boolean take() {
        if (!held) {
            held = offers.tryAcquire(address);
        }
        return held;
    }

    void settle() {
        if (held) {
            held = false;
            offers.release(address);
        }
    }

    int cap() {
        return offers.cap();
    }
}
