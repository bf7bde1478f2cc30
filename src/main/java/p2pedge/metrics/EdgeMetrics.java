package p2pedge.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The product's own meters, next to Vert.x's in one Prometheus registry: every component counts its events
 * (placements, re-placements, failovers, signalling errors, refusals) here, where they happen. State (players,
 * hosts, offload, media) is read from the components' snapshots by the metrics endpoint ({@code ops}). A leaf:
 * it knows no component. Micrometer's names with dots become Prometheus names with underscores, base units and
 * {@code _total} appended.
 */
public final class EdgeMetrics {

    private final PrometheusMeterRegistry registry;
    private final Timer failover;
    private final Map<OfferAsked, Timer> offerPlacement = new EnumMap<>(OfferAsked.class);
    private final Map<OfferAsked, Timer> offerMedia = new EnumMap<>(OfferAsked.class);

    /** What an edge-served offer answers: the player's request_offer, or the edge's stop that said an offer follows. */
    public enum OfferAsked {
        REQUEST_OFFER("request_offer"), STOP("stop");

        private final String tag;

        OfferAsked(String tag) {
            this.tag = tag;
        }
    }

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
        for (OfferAsked asked : OfferAsked.values()) {
            offerPlacement.put(asked, offerStage("placement", asked,
                    "request_offer (or a stop saying an offer follows) until classification placed the player on the edge"));
            offerMedia.put(asked, offerStage("media", asked, "placed on the edge until the media plane's offer is sent to the player"));
        }
        Gauge.builder("p2pedge.cluster.members", clusterMembers::getAsInt)
                .description("Edges in the cluster (1 when standalone)").register(registry);
    }

    /** The two stages of an edge-served player's request_offer (or stop) -> offer, so that the slower one shows. */
    private Timer offerStage(String stage, OfferAsked asked, String description) {
        return Timer.builder("p2pedge.offer").tag("stage", stage).tag("after", asked.tag).description(description)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }

    /** request_offer (or the stop) -> placed on the edge (the classification round trip). */
    public void offerPlaced(OfferAsked asked, long nanos) {
        offerPlacement.get(asked).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Placed on the edge -> the edge's offer sent (the media plane's round trip). */
    public void offerSent(OfferAsked asked, long nanos) {
        offerMedia.get(asked).record(nanos, TimeUnit.NANOSECONDS);
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

    /** A host -> client relay connected (its client says so, or answered when it never reports). */
    public void relayConnected() {
        Counter.builder("p2pedge.relays.connected").description("Host -> client relays connected").register(registry).increment();
    }

    /** A would-be host's trial ended: it {@code answered} its trial request_offer_p2p, or stayed silent. */
    public void hostTried(boolean answered) {
        Counter.builder("p2pedge.p2p.host.trials").description("Would-be hosts tried with a request_offer_p2p of the edge's own, by result")
                .tag("result", answered ? "answered" : "silent").register(registry).increment();
    }

    /** Regrouping moved an edge-served host of this edge onto another host. */
    public void moved() {
        Counter.builder("p2pedge.p2p.moves").description("Edge-served hosts with no client moved onto another host (regrouping)")
                .register(registry).increment();
    }

    /** Players placed as {@code role} since start. */
    public long placements(String role) {
        return count("p2pedge.placements", "role", role);
    }

    /** Clients placed again for {@code cause} (lower case) since start. */
    public long replacements(String cause) {
        return count("p2pedge.replacements", "cause", cause);
    }

    public long relaysConnected() {
        Counter counter = registry.find("p2pedge.relays.connected").counter();
        return counter == null ? 0 : (long) counter.count();
    }

    private long count(String name, String tag, String value) {
        Counter counter = registry.find(name).tag(tag, value).counter();
        return counter == null ? 0 : (long) counter.count();
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

    /** A player kept out by admission: {@code reason} no_token, invalid_token, other_stream, other_address. */
    public void admissionRefused(String reason) {
        Counter.builder("p2pedge.admission.refusals").description("Players refused by admission (signed player tokens), by reason")
                .tag("reason", reason).register(registry).increment();
    }

    public void failover(long nanos) {
        failover.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The event counters since start, as JSON (the admin API and the dashboard). */
    public JsonObject counters() {
        return new JsonObject()
                .put("placements", byTag("p2pedge.placements", "role"))
                .put("replacements", byTag("p2pedge.replacements", "cause"))
                .put("signallingErrors", byTag("p2pedge.signalling.errors", "code"))
                .put("whipRefusals", byTag("p2pedge.whip.refusals", "code"))
                .put("refusals", refusals())
                .put("failovers", new JsonObject().put("count", failover.count())
                        .put("meanMillis", failover.mean(TimeUnit.MILLISECONDS)).put("maxMillis", failover.max(TimeUnit.MILLISECONDS)));
    }

    /** Refusals by "port.reason". */
    private JsonObject refusals() {
        JsonObject out = new JsonObject();
        registry.find("p2pedge.refusals").counters()
                .forEach(c -> out.put(c.getId().getTag("port") + "." + c.getId().getTag("reason"), (long) c.count()));
        return out;
    }

    private JsonObject byTag(String name, String tag) {
        JsonObject out = new JsonObject();
        registry.find(name).counters().forEach(c -> out.put(c.getId().getTag(tag), (long) c.count()));
        return out;
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }
}
