package p2pedge.media.rtc;

import java.util.Arrays;
import java.util.List;

/**
 * One source encoding's packets since its last keyframe began, while that keyframe is recent: a player that joins
 * just after a keyframe went by starts from it at once instead of waiting for the next one, which the encoder makes no
 * sooner than 300 ms after the last (libwebrtc ignores earlier requests). Two clients of a host that left reach the
 * edge tens of ms apart, and the later one missed the keyframe the first asked for in half of the failovers measured.
 * Holds references to the source's packets (shared, never copied), a bounded number for a bounded time. Pure state on
 * the forwarding thread; time in nanoseconds from the caller's clock.
 */
final class RecentKeyframe {

    private final long maxAgeNanos;
    private final byte[][] packets;
    private int count;
    private long startedNanos;
    /** Whether the packets held run unbroken from a keyframe's first packet to the latest one, within the bounds. */
    private boolean whole;

    /**
     * @param maxAgeMillis how old a keyframe may be for a joiner to start from it (the delay the joiner starts with)
     * @param maxPackets   the packets held at most (a keyframe and what followed it); beyond that the run is given up
     */
    RecentKeyframe(long maxAgeMillis, int maxPackets) {
        this.maxAgeNanos = maxAgeMillis * 1_000_000;
        this.packets = new byte[maxPackets][];
    }

    /** A packet of the encoding, in the order forwarded; {@code keyframe}: it begins a keyframe. */
    void onPacket(byte[] packet, boolean keyframe, long now) {
        if (keyframe) {
            forget();
            startedNanos = now;
            whole = true;
        }
        if (!whole) {
            return;
        }
        if (count == packets.length || now - startedNanos > maxAgeNanos) {
            forget();
            return;
        }
        packets[count++] = packet;
    }

    /** The keyframe and the packets after it, when it began at most the bound ago; else empty. */
    List<byte[]> since(long now) {
        if (!whole || now - startedNanos > maxAgeNanos) {
            return List.of();
        }
        return Arrays.asList(Arrays.copyOf(packets, count));
    }

    /** Whether a joiner that comes {@code laterNanos} from now could still start from the keyframe held. */
    boolean startsJoinerIn(long now, long laterNanos) {
        return whole && now + laterNanos - startedNanos <= maxAgeNanos;
    }

    /** The encoding stopped or changed: nothing held is a start for anyone. */
    void forget() {
        Arrays.fill(packets, 0, count, null);
        count = 0;
        whole = false;
    }
}
