package p2pedge.media.rtc;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The video encodings a source sends, one per SSRC: one, or up to {@link PeerSdp#MAX_LAYERS} simulcast layers.
 * Layers are ranked lowest first by the picture size their keyframes carry (VP8), whatever names or order the
 * publisher gave them; where that is not known for every layer (H.264, or before each has sent a keyframe), by the
 * rate each has sent over its life, once each has sent for a second; before that, in the order first seen. A one-layer source that starts sending on another SSRC is a new source (a publisher that came
 * back); so is a layered one whose new SSRC finds every layer slot taken by a layer gone silent. Pure (injected
 * clock); confined to the forwarding thread.
 */
public final class SourceLayers {

    /** What a packet from an SSRC is to the source. */
    public enum Arrival {
        /** A layer already known. */
        KNOWN,
        /** A layer of a layered source, seen first. */
        NEW_LAYER,
        /** Another SSRC than a one-layer source's, or one that takes a silent layer's place: a new source. */
        NEW_SOURCE,
        /** More layers than the source declared, all still sending: not forwarded. */
        REFUSED
    }

    /** A layer that sent nothing for this long no longer counts as sending (a paused layer, or a gone source). */
    static final long SILENT_NANOS = 1_000_000_000L;
    private static final long RANKED_AFTER_NANOS = 1_000_000_000L;

    private static final class Layer {
        final int ssrc;
        final long firstNanos;
        long lastNanos;
        long bytes;
        /** Width x height of its last keyframe; 0 while unknown. */
        int pixels;

        Layer(int ssrc, long now) {
            this.ssrc = ssrc;
            this.firstNanos = now;
            this.lastNanos = now;
        }

        double bitsPerSecond(long now) {
            long age = now - firstNanos;
            return age <= 0 ? 0 : bytes * 8e9 / age;
        }
    }

    private final LongSupplier clock;
    /** In the order first seen. */
    private final Map<Integer, Layer> layers = new LinkedHashMap<>();
    private int expected = 1;

    public SourceLayers(LongSupplier nanoClock) {
        this.clock = nanoClock;
    }

    /** How many layers the current source declared (1: none; a new SSRC is then a new source). */
    public void expect(int count) {
        expected = Math.max(1, Math.min(count, PeerSdp.MAX_LAYERS));
    }

    public int expected() {
        return expected;
    }

    /** Forgets every layer: the source was replaced. */
    public void clear() {
        layers.clear();
    }

    public Arrival onPacket(int ssrc, int bytes) {
        return onPacket(ssrc, bytes, 0);
    }

    /** @param keyframePixels the picture size of the keyframe this packet starts, 0 when none or unknown */
    public Arrival onPacket(int ssrc, int bytes, int keyframePixels) {
        long now = clock.getAsLong();
        Layer layer = layers.get(ssrc);
        Arrival arrival = Arrival.KNOWN;
        if (layer == null) {
            if (expected == 1 && !layers.isEmpty()) {
                layers.clear();
                arrival = Arrival.NEW_SOURCE;
            } else if (layers.size() >= expected) {
                if (layers.values().stream().noneMatch(l -> now - l.lastNanos > SILENT_NANOS)) {
                    return Arrival.REFUSED;
                }
                layers.clear(); // every slot taken and one silent: the publisher came back with new SSRCs
                arrival = Arrival.NEW_SOURCE;
            } else {
                arrival = layers.isEmpty() ? Arrival.KNOWN : Arrival.NEW_LAYER;
            }
            layer = new Layer(ssrc, now);
            layers.put(ssrc, layer);
        }
        layer.lastNanos = now;
        layer.bytes += bytes;
        if (keyframePixels > 0) {
            layer.pixels = keyframePixels;
        }
        return arrival;
    }

    /** The layers that sent within the last second, lowest first. */
    public List<Integer> sending() {
        long now = clock.getAsLong();
        List<Layer> live = new ArrayList<>();
        for (Layer layer : layers.values()) {
            if (now - layer.lastNanos <= SILENT_NANOS) {
                live.add(layer);
            }
        }
        if (live.stream().allMatch(l -> l.pixels > 0)) {
            live.sort(Comparator.comparingInt(l -> l.pixels));
        } else if (live.stream().allMatch(l -> now - l.firstNanos >= RANKED_AFTER_NANOS)) {
            live.sort(Comparator.comparingDouble(l -> l.bitsPerSecond(now)));
        }
        return live.stream().map(l -> l.ssrc).toList();
    }

    /** A layer's average rate over its life, bit/s (0 for an unknown SSRC). */
    public long bitsPerSecond(int ssrc) {
        Layer layer = layers.get(ssrc);
        return layer == null ? 0 : Math.round(layer.bitsPerSecond(clock.getAsLong()));
    }
}
