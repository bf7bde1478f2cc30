package p2pedge.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import p2pedge.media.ForwardDelays;
import p2pedge.media.MediaSnapshot;
import p2pedge.signalling.PlayerSnapshot;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The edge's state as meters: players, hosts and offload from signalling's snapshot, the media plane's figures
 * from its own, both taken by the metrics endpoint just before each scrape (the meters read the latest).
 */
final class SnapshotGauges {

    private final MeterRegistry registry;
    private final MultiGauge players;
    private final MultiGauge hosts;
    private final MultiGauge streamPlayers;
    private final MultiGauge streamOffload;
    private final MultiGauge sourceRoundTrips;
    private final Set<String> droppedReasons = ConcurrentHashMap.newKeySet();
    private volatile PlayerSnapshot lastPlayers = new PlayerSnapshot(Map.of(), Map.of(), Map.of());
    private volatile MediaSnapshot lastMedia = new MediaSnapshot(0, 0, 0, 0, 0);

    SnapshotGauges(MeterRegistry registry) {
        this.registry = registry;
        players = MultiGauge.builder("p2pedge.players")
                .description("Players by role: host (edge-served Host Peer), edge (edge-only), client (served by a peer)")
                .register(registry);
        hosts = MultiGauge.builder("p2pedge.hosts")
                .description("This edge's Host Peers by the number of clients each serves")
                .register(registry);
        streamPlayers = MultiGauge.builder("p2pedge.stream.players").description("Players per stream").register(registry);
        streamOffload = MultiGauge.builder("p2pedge.stream.offload.ratio")
                .description("Players served by peers / all players, per stream").register(registry);
        sourceRoundTrips = MultiGauge.builder("p2pedge.media.source.round.trip").baseUnit("seconds")
                .description("Per stream, how long its source (publisher, or the edge it is pulled from) takes to answer "
                        + "the edge's requests for lost packets, smoothed; once it has answered one").register(registry);
        Gauge.builder("p2pedge.offload.ratio", this, m -> m.lastPlayers.offloadRatio())
                .description("Players served by peers / all players on this edge").register(registry);
        Gauge.builder("p2pedge.media.viewers", this, m -> m.lastMedia.viewers())
                .description("Media connections this edge serves (players, WHEP players, other edges' pulls)").register(registry);
        Gauge.builder("p2pedge.media.tcp.connections", this, m -> m.lastMedia.tcpConnections())
                .description("ICE-TCP connections open on the media port (players whose network drops UDP)").register(registry);
        Gauge.builder("p2pedge.media.streams", this, m -> m.lastMedia.streams())
                .description("Streams live on this edge (configured, published, pulled)").register(registry);
        Gauge.builder("p2pedge.media.relay.pulls", this, m -> m.lastMedia.pulls())
                .description("Streams this edge pulls from other edges").register(registry);
        FunctionCounter.builder("p2pedge.media.egress", this, m -> m.lastMedia.egressBytes()).baseUnit("bytes")
                .description("Bytes sent by the media plane").register(registry);
        FunctionCounter.builder("p2pedge.media.retransmitted.packets", this, m -> m.lastMedia.feedback().retransmittedPackets())
                .description("Packets the forwarder resent on viewers' NACKs").register(registry);
        FunctionCounter.builder("p2pedge.media.retransmitted", this, m -> m.lastMedia.feedback().retransmittedBytes()).baseUnit("bytes")
                .description("Bytes the forwarder resent on viewers' NACKs").register(registry);
        for (String reason : List.of("repeated", "over_budget", "not_cached")) {
            FunctionCounter.builder("p2pedge.media.nack.refused", this, m -> m.lastMedia.feedback().nackRefused().getOrDefault(reason, 0L))
                    .tag("reason", reason)
                    .description("NACKed packets not resent: repeated within the viewer's round trip, over its retransmission budget, "
                            + "or no longer cached").register(registry);
        }
        FunctionCounter.builder("p2pedge.media.keyframe.requests", this, m -> m.lastMedia.feedback().keyframeRequestsHonoured())
                .tag("outcome", "honoured").description("Viewers' keyframe requests (PLI/FIR), honoured or refused by the per-viewer budget")
                .register(registry);
        FunctionCounter.builder("p2pedge.media.keyframe.requests", this, m -> m.lastMedia.feedback().keyframeRequestsRefused())
                .tag("outcome", "refused").description("Viewers' keyframe requests (PLI/FIR), honoured or refused by the per-viewer budget")
                .register(registry);
        for (String from : List.of("recent_keyframe", "next_keyframe")) {
            FunctionCounter.builder("p2pedge.media.viewer.starts", this, m -> m.lastMedia.feedback().viewerStarts().getOrDefault(from, 0L))
                    .tag("from", from).description("Players' video started from a keyframe that had just gone by (sent at once) "
                            + "or from the next one (asked for from the source)").register(registry);
        }
        for (String outcome : List.of("requested", "recovered", "abandoned")) {
            FunctionCounter.builder("p2pedge.media.source.retransmissions", this, m -> switch (outcome) {
                        case "requested" -> m.lastMedia.sourceRecovery().requested();
                        case "recovered" -> m.lastMedia.sourceRecovery().recovered();
                        default -> m.lastMedia.sourceRecovery().abandoned();
                    }).tag("outcome", outcome)
                    .description("Video packets lost on the way from the sources (publishers, or the edge a stream is pulled "
                            + "from): asked for again (each request), recovered, or given up").register(registry);
        }
        Gauge.builder("p2pedge.media.egress.bitrate", this, m -> m.lastMedia.egressBitsPerSecond()).baseUnit("bits.per.second")
                .description("The media plane's sending rate over the last seconds").register(registry);
        Gauge.builder("p2pedge.media.viewers.below.top.layer", this, m -> m.lastMedia.layers().viewersBelowTop())
                .description("Viewers fed a lower simulcast layer than their stream's top: their path carries no more").register(registry);
        FunctionCounter.builder("p2pedge.media.layer.switches", this, m -> m.lastMedia.layers().switches())
                .description("Viewers moved from one layer (or source) to another, at keyframes").register(registry);
        FunctionCounter.builder("p2pedge.media.padding.packets", this, m -> m.lastMedia.layers().paddingPackets())
                .description("Padding packets sent by probes of whether a viewer's path carries a higher layer").register(registry);
        // A histogram's cumulative buckets, kept by the media plane: histogram_quantile() reads them by their le label.
        for (int i = 0; i <= ForwardDelays.BOUNDS_MICROS.length; i++) {
            int bucket = i;
            boolean last = bucket == ForwardDelays.BOUNDS_MICROS.length;
            FunctionCounter.builder("p2pedge.media.forward.delay.packets", this, m -> last ? m.lastMedia.forwardDelays().packets()
                            : m.lastMedia.forwardDelays().within(bucket))
                    .description("Source RTP packets whose stay in the edge (read from the socket until every viewer's copy was "
                            + "sent) was at most le seconds")
                    .tag("le", last ? "+Inf" : BigDecimal.valueOf(ForwardDelays.BOUNDS_MICROS[bucket], 6).stripTrailingZeros().toPlainString())
                    .register(registry);
        }
    }

    /** Signalling's latest snapshot. */
    void update(PlayerSnapshot snapshot) {
        lastPlayers = snapshot;
        players.register(List.of("host", "edge", "client").stream()
                .map(role -> MultiGauge.Row.of(Tags.of("role", role), snapshot.byRole().getOrDefault(role, 0)))
                .map(row -> (MultiGauge.Row<?>) row).toList(), true);
        hosts.register(snapshot.hostsByClients().entrySet().stream()
                .map(e -> (MultiGauge.Row<?>) MultiGauge.Row.of(Tags.of("clients", e.getKey().toString()), e.getValue())).toList(), true);
        streamPlayers.register(snapshot.byStream().entrySet().stream()
                .map(e -> (MultiGauge.Row<?>) MultiGauge.Row.of(Tags.of("stream", e.getKey()), e.getValue().players())).toList(), true);
        streamOffload.register(snapshot.byStream().entrySet().stream()
                .map(e -> (MultiGauge.Row<?>) MultiGauge.Row.of(Tags.of("stream", e.getKey()), e.getValue().offloadRatio())).toList(), true);
    }

    /** The media plane's latest snapshot. */
    void update(MediaSnapshot snapshot) {
        lastMedia = snapshot;
        sourceRoundTrips.register(snapshot.sourceRecovery().roundTripMillis().entrySet().stream()
                .map(e -> (MultiGauge.Row<?>) MultiGauge.Row.of(Tags.of("stream", e.getKey()), e.getValue() / 1000)).toList(), true);
        // Reasons are known once seen; a counter per reason reads the latest snapshot, registered once.
        for (String reason : snapshot.portDropped().keySet()) {
            if (droppedReasons.add(reason)) {
                FunctionCounter.builder("p2pedge.media.port.dropped", this, m -> m.lastMedia.portDropped().getOrDefault(reason, 0L))
                        .description("Datagrams the media port dropped (unauthenticated STUN, DTLS refused, consent expired...), by reason")
                        .tag("reason", reason).register(registry);
            }
        }
    }
}
