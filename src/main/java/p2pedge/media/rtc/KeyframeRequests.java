package p2pedge.media.rtc;

import java.util.HashMap;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

/**
 * Keyframe requests to a source's encodings (one per SSRC: one, or each simulcast layer), collapsed: however many
 * viewers join or ask (PLI/FIR) at once, each encoding gets at most one request per interval; a request that
 * arrives inside the interval is not lost but folded into the next one. Thread-safe.
 */
public final class KeyframeRequests {

    /** Encodings remembered: a source's layers, and the ones of a source it replaced until they are forgotten. */
    private static final int MAX_TRACKED = 2 * PeerSdp.MAX_LAYERS;

    private static final class Encoding {
        long lastSentNanos = Long.MIN_VALUE / 2;
        boolean pending;
    }

    private final long intervalNanos;
    private final LongSupplier clock;
    private final IntConsumer sendRequest;
    private final Map<Integer, Encoding> encodings = new HashMap<>();
    private long sent;

    /** @param sendRequest asks the source for a keyframe of the encoding with this SSRC */
    public KeyframeRequests(long intervalMillis, LongSupplier nanoClock, IntConsumer sendRequest) {
        this.intervalNanos = intervalMillis * 1_000_000;
        this.clock = nanoClock;
        this.sendRequest = sendRequest;
    }

    /** A viewer needs a keyframe of encoding {@code ssrc}. */
    public synchronized void request(int ssrc) {
        Encoding encoding = encodings.get(ssrc);
        if (encoding == null) {
            if (encodings.size() >= MAX_TRACKED) {
                encodings.values().removeIf(e -> !e.pending);
            }
            if (encodings.size() >= MAX_TRACKED) {
                return;
            }
            encoding = new Encoding();
            encodings.put(ssrc, encoding);
        }
        encoding.pending = true;
        flush();
    }

    /** A keyframe of {@code ssrc} arrived: a request still folded in is no longer needed. */
    public synchronized void satisfied(int ssrc) {
        Encoding encoding = encodings.get(ssrc);
        if (encoding != null) {
            encoding.pending = false;
        }
    }

    /** Sends the folded requests whose interval has passed (call periodically, or on each source packet). */
    public synchronized void flush() {
        long now = clock.getAsLong();
        encodings.forEach((ssrc, encoding) -> {
            if (encoding.pending && now - encoding.lastSentNanos >= intervalNanos) {
                encoding.pending = false;
                encoding.lastSentNanos = now;
                sent++;
                sendRequest.accept(ssrc);
            }
        });
    }

    public synchronized long sent() {
        return sent;
    }
}
