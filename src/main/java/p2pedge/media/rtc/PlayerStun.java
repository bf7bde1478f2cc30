package p2pedge.media.rtc;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The edge's STUN service for its players (RFC 5389 Binding requests without credentials): their browsers learn
 * their server-reflexive addresses for P2P legs from it, and the edge measures how each player's NAT maps UDP by
 * what two of its ports answered. Not an open reflector, which anyone could aim at a victim with spoofed requests:
 * <ul>
 *   <li>a request is answered only when its source address holds a signalling socket on this edge (the signalling
 *       side admits and releases addresses as sockets open and close), so a spoofed request reflects only towards
 *       a player that is watching, never a stranger;</li>
 *   <li>at most {@code perSecond} answers per address (a burst of twice that), enough for the browsers of one
 *       household gathering and keeping their candidates alive;</li>
 *   <li>the answer is hardly larger than the request (no amplification); anything else gets silence.</li>
 * </ul>
 * What it answered is kept per admitted address (the last {@value #KEPT} answers) for the mapping measurement and
 * forgotten with the address. Not thread-safe: used on the media context.
 */
public final class PlayerStun {

    /** Answers kept per address. */
    static final int KEPT = 16;
    private static final String SOFTWARE = "p2p-edge";

    /** An answer: at which of the edge's ports, to which port of the player's address, when (nanoTime). */
    public record Answered(int serverPort, int port, long nanos) {
    }

    /** Why a datagram got no answer. */
    public enum Refusal { NOT_A_PLAIN_BINDING, NOT_ADMITTED, RATE }

    private static final class Admitted {
        int sockets;
        double tokens;
        long refilledNanos;
        final Deque<Answered> answered = new ArrayDeque<>();
    }

    private final int perSecond;
    private final LongSupplier nanoClock;
    private final Map<InetAddress, Admitted> admitted = new HashMap<>();
    private final Map<Refusal, Long> refused = new HashMap<>();
    private long answers;

    public PlayerStun(int perSecond, LongSupplier nanoClock) {
        this.perSecond = perSecond;
        this.nanoClock = nanoClock;
    }

    /** A signalling socket opened from {@code address}. */
    public void admit(InetAddress address) {
        Admitted entry = admitted.computeIfAbsent(address, a -> {
            Admitted fresh = new Admitted();
            fresh.tokens = 2.0 * perSecond;
            fresh.refilledNanos = nanoClock.getAsLong();
            return fresh;
        });
        entry.sockets++;
    }

    /** A signalling socket from {@code address} closed: with its last one, the address is forgotten. */
    public void release(InetAddress address) {
        Admitted entry = admitted.get(address);
        if (entry != null && --entry.sockets <= 0) {
            admitted.remove(address);
        }
    }

    /** Whether {@code data} is a Binding request without credentials: this service's, not an ICE check. */
    public static boolean isPlainBinding(byte[] data, int length) {
        return plainBinding(data, length).isPresent();
    }

    /** {@code data} parsed, if it is a Binding request without credentials (with a valid FINGERPRINT, if any). */
    private static Optional<StunMessage> plainBinding(byte[] data, int length) {
        if (!StunMessage.looksLikeStun(data, length)) {
            return Optional.empty();
        }
        try {
            return plainBinding(StunMessage.parse(data, length));
        } catch (StunException e) {
            return Optional.empty();
        }
    }

    private static Optional<StunMessage> plainBinding(StunMessage request) {
        boolean plain = request.type() == StunMessage.BINDING_REQUEST && !request.has(StunMessage.USERNAME)
                && !request.has(StunMessage.MESSAGE_INTEGRITY)
                && (!request.has(StunMessage.FINGERPRINT) || request.hasValidFingerprint());
        return plain ? Optional.of(request) : Optional.empty();
    }

    /** The answer to a datagram from {@code from} at the edge's port {@code serverPort}, or empty for silence. */
    public Optional<byte[]> answer(byte[] data, int length, InetSocketAddress from, int serverPort) {
        return answer(plainBinding(data, length), from, serverPort);
    }

    /** The same for a request already parsed (the media port's, which the ICE responder parsed first). */
    public Optional<byte[]> answer(StunMessage parsed, InetSocketAddress from, int serverPort) {
        return answer(plainBinding(parsed), from, serverPort);
    }

    private Optional<byte[]> answer(Optional<StunMessage> request, InetSocketAddress from, int serverPort) {
        if (request.isEmpty()) {
            return refuse(Refusal.NOT_A_PLAIN_BINDING);
        }
        Admitted entry = admitted.get(from.getAddress());
        if (entry == null) {
            return refuse(Refusal.NOT_ADMITTED);
        }
        long now = nanoClock.getAsLong();
        entry.tokens = Math.min(2.0 * perSecond, entry.tokens + (now - entry.refilledNanos) * perSecond / 1e9);
        entry.refilledNanos = now;
        if (entry.tokens < 1) {
            return refuse(Refusal.RATE);
        }
        entry.tokens--;
        if (entry.answered.size() == KEPT) {
            entry.answered.removeFirst();
        }
        entry.answered.addLast(new Answered(serverPort, from.getPort(), now));
        answers++;
        return Optional.of(StunMessage.builder(StunMessage.BINDING_SUCCESS, request.get().transactionId())
                .xorMappedAddress(from).string(StunMessage.SOFTWARE, SOFTWARE).build(null, true));
    }

    private Optional<byte[]> refuse(Refusal why) {
        refused.merge(why, 1L, Long::sum);
        return Optional.empty();
    }

    /** What was answered to {@code address} since {@code sinceNanos}, oldest first. */
    public List<Answered> answered(InetAddress address, long sinceNanos) {
        Admitted entry = admitted.get(address);
        List<Answered> out = new ArrayList<>();
        if (entry != null) {
            entry.answered.stream().filter(a -> a.nanos() - sinceNanos >= 0).forEach(out::add);
        }
        return out;
    }

    public long answers() {
        return answers;
    }

    public Map<Refusal, Long> refused() {
        return Map.copyOf(refused);
    }

    /** Addresses admitted now (monitoring, tests: none once every socket closed). */
    public int admittedAddresses() {
        return admitted.size();
    }
}
