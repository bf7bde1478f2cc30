package p2pedge.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The product's own meters, next to Vert.x's in one Prometheus registry. Events (placements, re-placements,
 * failovers, signalling errors) are counted where they happen; state (players, hosts, offload, media) is read
 * from snapshots the metrics endpoint takes just before each scrape. Micrometer's names with dots become
 * Prometheus names with underscores, base units and {@code _total} appended.
 */
public final class EdgeMetrics {

    private final PrometheusMeterRegistry registry;
    private final Timer failover;
    private final MultiGauge players;
    private final MultiGauge hosts;
    private final MultiGauge streamPlayers;
    private final MultiGauge streamOffload;
    private volatile PlayerSnapshot lastPlayers = new PlayerSnapshot(Map.of(), Map.of(), Map.of());
    private volatile MediaSnapshot lastMedia = new MediaSnapshot(0, 0, 0, 0, 0);

    public EdgeMetrics(PrometheusMeterRegistry registry, String edgeId, IntSupplier clusterMembers) {
        this.registry = registry;
        // An info gauge rather than a common tag: Vert.x registers its meters before the edge id is known.
        Gauge.builder("p2pedge.edge.info", () -> 1).tag("edge", edgeId).description("This edge's id").register(registry);
        failover = Timer.builder("p2pedge.failover")
                .description("A client told to stop (its host failed or left) until its new media connection is up")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(5))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        players = MultiGauge.builder("p2pedge.players")
                .description("Players by role: host (edge-served Host Peer), edge (edge-only), client (served by a peer)")
                .register(registry);
        hosts = MultiGauge.builder("p2pedge.hosts")
                .description("This edge's Host Peers by the number of clients each serves")
                .register(registry);
        streamPlayers = MultiGauge.builder("p2pedge.stream.players").description("Players per stream").register(registry);
        streamOffload = MultiGauge.builder("p2pedge.stream.offload.ratio")
                .description("Players served by peers / all players, per stream").register(registry);
        Gauge.builder("p2pedge.offload.ratio", this, m -> m.lastPlayers.offloadRatio())
                .description("Players served by peers / all players on this edge").register(registry);
        Gauge.builder("p2pedge.cluster.members", clusterMembers::getAsInt)
                .description("Edges in the cluster (1 when standalone)").register(registry);
        Gauge.builder("p2pedge.media.viewers", this, m -> m.lastMedia.viewers())
                .description("Media connections this edge serves (players, WHEP players, other edges' relay pulls)").register(registry);
        Gauge.builder("p2pedge.media.streams", this, m -> m.lastMedia.streams())
                .description("Streams live on this edge (configured, published, relayed)").register(registry);
        Gauge.builder("p2pedge.media.relay.pulls", this, m -> m.lastMedia.relayPulls())
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
        Gauge.builder("p2pedge.media.egress.bitrate", this, m -> m.lastMedia.egressBitsPerSecond()).baseUnit("bits.per.second")
                .description("The media plane's sending rate over the last seconds").register(registry);
    }

    public static PrometheusMeterRegistry newRegistry() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** A new player was placed: {@code role} host, edge or client. */
    public void placed(String role) {
        Counter.builder("p2pedge.placements").description("Players placed, by role").tag("role", role)
                .register(registry).increment();
    }

    /** A client lost its host and is placed again. */
    public void replaced(String cause) {
        Counter.builder("p2pedge.replacements").description("Clients placed again after losing their host, by cause")
                .tag("cause", cause.toLowerCase(Locale.ROOT)).register(registry).increment();
    }

    public void signallingError(int code) {
        signallingError(Integer.toString(code));
    }

    /** Also for closes that send no error: {@code slow_consumer}. */
    public void signallingError(String code) {
        Counter.builder("p2pedge.signalling.errors").description("Errors sent to players (and closes without one), by code")
                .tag("code", code).register(registry).increment();
    }

    /** A candidate one peer sent another was not relayed: {@code reason} loopback, link_local, metadata, ... */
    public void peerCandidateDropped(String reason) {
        Counter.builder("p2pedge.p2p.candidates.dropped")
                .description("ICE candidates not relayed between peers (aimed at a peer's machine or network), by reason")
                .tag("reason", reason).register(registry).increment();
    }

    /** A WHIP ingest request (POST or DELETE) refused, by HTTP status: 401/403 unauthorised, 503 publisher limit... */
    public void whipRefused(int status) {
        Counter.builder("p2pedge.whip.refusals").description("WHIP ingest requests refused, by HTTP status")
                .tag("code", Integer.toString(status)).register(registry).increment();
    }

    /**
     * A connection, socket or offer refused or closed by a per-address cap or a timeout: {@code port} signalling or
     * metrics, {@code reason} e.g. connections_per_address, header_timeout, sockets_per_address.
     */
    public void refused(String port, String reason) {
        Counter.builder("p2pedge.refusals").description("Connections, sockets and offers refused by a per-address cap or timeout")
                .tag("port", port).tag("reason", reason).register(registry).increment();
    }

    public void failover(long nanos) {
        failover.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void update(PlayerSnapshot snapshot) {
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

    public void update(MediaSnapshot snapshot) {
        lastMedia = snapshot;
        // Reasons are known once seen; a counter per reason reads the latest snapshot (registering again is a no-op).
        snapshot.portDropped().keySet().forEach(reason ->
                FunctionCounter.builder("p2pedge.media.port.dropped", this, m -> m.lastMedia.portDropped().getOrDefault(reason, 0L))
                        .description("Datagrams the media port dropped (unauthenticated STUN, DTLS refused, consent expired...), by reason")
                        .tag("reason", reason).register(registry));
    }

    /** The event counters since start, as JSON (the admin API and the dashboard). */
    public io.vertx.core.json.JsonObject counters() {
        return new io.vertx.core.json.JsonObject()
                .put("placements", byTag("p2pedge.placements", "role"))
                .put("replacements", byTag("p2pedge.replacements", "cause"))
                .put("signallingErrors", byTag("p2pedge.signalling.errors", "code"))
                .put("whipRefusals", byTag("p2pedge.whip.refusals", "code"))
                .put("refusals", refusals())
                .put("failovers", new io.vertx.core.json.JsonObject().put("count", failover.count())
                        .put("meanMillis", failover.mean(TimeUnit.MILLISECONDS)).put("maxMillis", failover.max(TimeUnit.MILLISECONDS)));
    }

    /** Refusals by "port.reason". */
    private io.vertx.core.json.JsonObject refusals() {
        io.vertx.core.json.JsonObject out = new io.vertx.core.json.JsonObject();
        registry.find("p2pedge.refusals").counters()
                .forEach(c -> out.put(c.getId().getTag("port") + "." + c.getId().getTag("reason"), (long) c.count()));
        return out;
    }

    private io.vertx.core.json.JsonObject byTag(String name, String tag) {
        io.vertx.core.json.JsonObject out = new io.vertx.core.json.JsonObject();
        registry.find(name).counters().forEach(c -> out.put(c.getId().getTag(tag), (long) c.count()));
        return out;
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }
}
