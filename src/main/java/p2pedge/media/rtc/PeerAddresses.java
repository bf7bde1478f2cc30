package p2pedge.media.rtc;

import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Optional;

/**
 * Where one session's peer may be reached, as far as the edge can check it. An address is <em>validated</em> by a
 * check with the session's credentials; <em>nominated</em> when such a check carried USE-CANDIDATE (the
 * controlling agent's choice, RFC 8445 section 8.1.1; libwebrtc nominates the pair it selected once it is writable);
 * <em>selected</em> once a DTLS handshake completed on it, which needs a round trip, so a check with a spoofed
 * source address can never select; after that, an address the peer nominates is selected once it answered the
 * port's own check (a round trip too). Media goes only to the selected address, and only while its consent is fresh
 * (RFC 7675): a valid check from it within the consent timeout. Pure state, on the port's event loop; time in
 * nanoseconds from the caller's clock.
 */
final class PeerAddresses {

    /** Validated addresses kept per session (host, reflexive and relayed pairs of one peer fit easily). */
    static final int MAX_ADDRESSES = 8;

    /** Address to the time of its last valid check, least recently checked first. */
    private final LinkedHashMap<InetSocketAddress, Long> validated = new LinkedHashMap<>();
    private InetSocketAddress nominated;
    private InetSocketAddress selected;
    private boolean everSelected;

    /**
     * A valid check from {@code from}. Returns the address it displaced when the session already had
     * {@link #MAX_ADDRESSES} (the least recently checked one that is neither nominated nor selected), or null.
     */
    InetSocketAddress onCheck(InetSocketAddress from, boolean useCandidate, long now) {
        validated.remove(from);
        validated.put(from, now);
        if (useCandidate) {
            nominated = from;
        }
        if (validated.size() <= MAX_ADDRESSES) {
            return null;
        }
        for (Iterator<InetSocketAddress> it = validated.keySet().iterator(); it.hasNext(); ) {
            InetSocketAddress oldest = it.next();
            if (!oldest.equals(nominated) && !oldest.equals(selected) && !oldest.equals(from)) {
                it.remove();
                return oldest;
            }
        }
        return null;
    }

    boolean isNominated(InetSocketAddress address) {
        return address.equals(nominated);
    }

    /**
     * Whether a ClientHello from {@code from} may start the session's handshake: from the nominated address, or,
     * before any nomination, from the only address validated so far. libwebrtc sends its ClientHello on the pair it
     * selected as soon as a check of it succeeded and nominates that pair with a later check (50 ms later in Chromium
     * on loopback, a fifth of a failover); with one address there is nothing to choose, with several the edge waits
     * for the peer's choice. No less safe: a nomination is as easy to forge as a check (both need the session's
     * credentials only); what selects an address is a handshake completed on it, which needs a round trip.
     */
    boolean mayStartDtls(InetSocketAddress from) {
        return from.equals(nominated) || (nominated == null && validated.size() == 1 && validated.containsKey(from));
    }

    /** DTLS completed on {@code address}, or the peer proved it moved there: media goes there from now on. */
    void select(InetSocketAddress address, long now) {
        selected = address;
        everSelected = true;
        validated.remove(address);
        validated.put(address, now);
    }

    /** The address now belongs to another session (a port reused, a NAT binding recycled). */
    void lose(InetSocketAddress address) {
        validated.remove(address);
        if (address.equals(nominated)) {
            nominated = null;
        }
        if (address.equals(selected)) {
            selected = null;
        }
    }

    Optional<InetSocketAddress> selected() {
        return Optional.ofNullable(selected);
    }

    /**
     * True when the session had a selected address and no longer may send to it: no valid check from it for
     * {@code timeoutNanos}, or the address went to another session.
     */
    boolean consentExpired(long now, long timeoutNanos) {
        if (!everSelected) {
            return false;
        }
        Long last = selected == null ? null : validated.get(selected);
        return last == null || now - last >= timeoutNanos;
    }
}
