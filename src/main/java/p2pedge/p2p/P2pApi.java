package p2pedge.p2p;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import p2pedge.bus.InProcess;
import p2pedge.config.EdgeConfig.P2pConsent;

import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** The peer classification verticle's event-bus contract: addresses, messages (encoded only here), a client. */
public final class P2pApi {

    public static final String CLASSIFY = "p2pedge.p2p.classify";
    public static final String RELAY_RESULT = "p2pedge.p2p.relay-result";
    public static final String LEAVE = "p2pedge.p2p.leave";
    public static final String REPORT = "p2pedge.p2p.report";
    public static final String HOSTS = "p2pedge.p2p.hosts";
    public static final String DRAIN = "p2pedge.p2p.drain";
    public static final String HOST_TRIED = "p2pedge.p2p.host-tried";
    /** Published (locally) when classification moved a host of this edge onto another host: a {@link Moved}. */
    public static final String MOVED = "p2pedge.p2p.moved";
    /** Published (locally) when a host of this edge lost slots: a {@link Shed}, its clients that must go elsewhere. */
    public static final String SHED = "p2pedge.p2p.shed";

    public enum Role {
        /** Served by the edge and registered (or about to be) as a Host Peer. */
        HOST,
        /** Served by the edge, never relays (mobile, unknown browser, P2P off...). */
        EDGE,
        /** Served by a Host Peer. */
        CLIENT
    }

    /** What became of a relay, and so who vouches for what is learnt about its host. */
    public enum RelayOutcome {
        /** The host offered (measured by the edge: counts as the host's own doing). */
        OFFERED,
        /** Its client says it works (the client's word). */
        CONNECTED,
        /** It failed after the host offered: the client says so, never answered, or the host stopped it (either's word). */
        FAILED,
        /** The host never offered, stopped before offering, or is gone (measured by the edge). */
        HOST_FAILED,
        /** The client gave up before the host could offer: nothing learnt about the host, its slot is free. */
        ABANDONED,
        /**
         * A client that never reports its relay's state (OvenPlayer) gave up on it within a minute of answering
         * (it left or asked again): perhaps it never saw a frame. Nothing against the host (it cannot be checked);
         * its network's unmeasured players are kept off hosts for a while.
         */
        GAVE_UP_UNSEEN
    }

    /**
     * Where a player gets the stream from: the edge, or {@code hostId} whose socket is on {@code hostEdge};
     * {@code predicted}: a client's relay is predicted to connect (else it has the short connect bound);
     * {@code trial}: a host is registered only once it answered a trial request_offer_p2p (see {@link #hostTried}).
     */
    public record Placement(Role role, long hostId, String hostEdge, String profile, boolean predicted, boolean trial) {
        JsonObject toJson() {
            return new JsonObject().put("role", role.name()).put("host", hostId).put("hostEdge", hostEdge).put("profile", profile)
                    .put("predicted", predicted).put("trial", trial);
        }

        static Placement fromJson(JsonObject json) {
            return new Placement(Role.valueOf(json.getString("role")), json.getLong("host"), json.getString("hostEdge"),
                    json.getString("profile"), json.getBoolean("predicted", true), json.getBoolean("trial", false));
        }
    }

    /**
     * A request to place a player: see {@link #classify}; {@code reports}: the player said it reports its relays'
     * state ({@code stats}), as the project's page does.
     */
    record ClassifyRequest(long session, String stream, String userAgent, Reachability reachability,
                           Set<Long> excludedHosts, boolean edgeOnly, boolean reports, P2pConsent consent) {
        JsonObject toJson() {
            return new JsonObject().put("session", session).put("stream", stream).put("userAgent", userAgent)
                    .put("address", reachability.publicAddress()).put("mapping", reachability.mapping().name())
                    .put("excluded", new JsonArray(excludedHosts.stream().toList())).put("edgeOnly", edgeOnly)
                    .put("reports", reports).put("consent", consent.name());
        }

        static ClassifyRequest fromJson(JsonObject json) {
            Set<Long> excluded = new HashSet<>();
            json.getJsonArray("excluded", new JsonArray()).forEach(h -> excluded.add(((Number) h).longValue()));
            return new ClassifyRequest(json.getLong("session"), json.getString("stream"), json.getString("userAgent"),
                    new Reachability(json.getString("address"), NatMapping.valueOf(json.getString("mapping"))),
                    excluded, json.getBoolean("edgeOnly", false), json.getBoolean("reports", false),
                    P2pConsent.valueOf(json.getString("consent", P2pConsent.HOST.name())));
        }
    }

    /**
     * A host of this edge with no client was made a client of {@code hostId} (socket on {@code hostEdge}; its slot is
     * reserved there): its signalling sets the relay up while its edge connection keeps playing.
     */
    public record Moved(long session, long hostId, String hostEdge, boolean predicted) {
        public JsonObject toJson() {
            return new JsonObject().put("session", session).put("host", hostId).put("hostEdge", hostEdge).put("predicted", predicted);
        }

        public static Moved fromJson(JsonObject json) {
            return new Moved(json.getLong("session"), json.getLong("host"), json.getString("hostEdge"), json.getBoolean("predicted"));
        }
    }

    /** A host of this edge has fewer slots than clients: {@code clients} (id -> edge) hold no slot on it any more. */
    public record Shed(long host, Map<Long, String> clients) {
        public JsonObject toJson() {
            return new JsonObject().put("host", host).put("clients", encode(clients));
        }

        public static Shed fromJson(JsonObject json) {
            return new Shed(json.getLong("host"), decode(json.getJsonObject("clients")));
        }
    }

    /**
     * A player's periodic report (see {@link #report}): what it receives ({@code kbps}, null: not said), what its
     * relays upload ({@code upload}, null: not said), on a stream the edge announced at {@code streamKbps} (0: unknown).
     */
    record HostReport(long session, Integer kbps, HostCapacity.Upload upload, int streamKbps) {
        JsonObject toJson() {
            JsonObject json = new JsonObject().put("session", session).put("kbps", kbps).put("streamKbps", streamKbps);
            if (upload != null) {
                json.put("upload", new JsonObject().put("relays", upload.relays()).put("sentKbps", upload.sentKbps())
                        .put("availableKbps", upload.availableKbps()).put("limited", upload.limited()));
            }
            return json;
        }

        static HostReport fromJson(JsonObject json) {
            JsonObject u = json.getJsonObject("upload");
            HostCapacity.Upload upload = u == null ? null : new HostCapacity.Upload(u.getInteger("relays"),
                    u.getInteger("sentKbps"), u.getInteger("availableKbps"), u.getBoolean("limited"));
            return new HostReport(json.getLong("session"), json.getInteger("kbps"), upload, json.getInteger("streamKbps", 0));
        }
    }

    private static JsonObject encode(Map<Long, String> clients) {
        JsonObject map = new JsonObject();
        clients.forEach((id, edge) -> map.put(Long.toString(id), edge));
        return map;
    }

    private static Map<Long, String> decode(JsonObject json) {
        Map<Long, String> clients = new LinkedHashMap<>();
        json.forEach(e -> clients.put(Long.parseLong(e.getKey()), (String) e.getValue()));
        return clients;
    }

    /** How a host's trial went: see {@link #hostTried}. */
    record HostTrial(long session, boolean answered, long millis) {
        JsonObject toJson() {
            return new JsonObject().put("session", session).put("answered", answered).put("millis", millis);
        }

        static HostTrial fromJson(JsonObject json) {
            return new HostTrial(json.getLong("session"), json.getBoolean("answered"), json.getLong("millis"));
        }
    }

    /** What became of a relay: see {@link #relayResult}. */
    record RelayResult(long host, long client, String clientAddress, RelayOutcome outcome, long millis) {
        JsonObject toJson() {
            return new JsonObject().put("host", host).put("client", client).put("address", clientAddress)
                    .put("outcome", outcome.name()).put("millis", millis);
        }

        static RelayResult fromJson(JsonObject json) {
            return new RelayResult(json.getLong("host"), json.getLong("client"), json.getString("address"),
                    RelayOutcome.valueOf(json.getString("outcome")), json.getLong("millis"));
        }
    }

    /** What a leaving player held: the host it was a client of (0 if none) and its own clients (id -> edge). */
    public record Departure(long hostOf, Map<Long, String> clients) {
        JsonObject toJson() {
            return new JsonObject().put("hostOf", hostOf).put("clients", encode(clients));
        }

        static Departure fromJson(JsonObject json) {
            return new Departure(json.getLong("hostOf"), decode(json.getJsonObject("clients")));
        }
    }

    private final EventBus bus;
    private final DeliveryOptions options;

    public P2pApi(EventBus bus, long timeoutMillis) {
        this.bus = bus;
        this.options = InProcess.within(timeoutMillis);
    }

    /**
     * @param reachability  how other players can reach this one
     * @param excludedHosts hosts that already failed this player
     * @param edgeOnly      serve from the edge whatever the policy says (the player ran out of host attempts)
     * @param reports       the player reports its relays' state (so it needs no trial to host)
     */
    public Future<Placement> classify(long session, String stream, String userAgent, Reachability reachability,
                                      Set<Long> excludedHosts, boolean edgeOnly, boolean reports) {
        return classify(session, stream, userAgent, reachability, excludedHosts, edgeOnly, reports, P2pConsent.HOST);
    }

    /** The same for a player that agreed to less in P2P (see {@link p2pedge.p2p.Placement#request}). */
    public Future<Placement> classify(long session, String stream, String userAgent, Reachability reachability,
                                      Set<Long> excludedHosts, boolean edgeOnly, boolean reports, P2pConsent consent) {
        JsonObject body = new ClassifyRequest(session, stream, userAgent, reachability, excludedHosts, edgeOnly, reports, consent).toJson();
        return bus.<JsonObject>request(CLASSIFY, body, options).map(m -> Placement.fromJson(m.body()));
    }

    /**
     * What became of the relay from {@code host} to {@code client}, whose socket comes from {@code clientAddress}
     * (its IP; null if unknown), {@code millis} after the host was asked. Failed and abandoned relays free the slot.
     */
    public Future<Void> relayResult(long host, long client, String clientAddress, RelayOutcome outcome, long millis) {
        JsonObject body = new RelayResult(host, client, clientAddress, outcome, millis).toJson();
        return bus.request(RELAY_RESULT, body, options).mapEmpty();
    }

    /**
     * A host placed with a trial answered its trial request_offer_p2p {@code millis} after it was asked (it is
     * registered now), or never did ({@code answered} false: it never hosts). A player's relaying is unknown until
     * then: OvenPlayer since 0.10.39 never answers, and a client placed on it would wait for nothing.
     */
    public Future<Void> hostTried(long session, boolean answered, long millis) {
        return bus.request(HOST_TRIED, new HostTrial(session, answered, millis).toJson(), options).mapEmpty();
    }

    /** The edge is draining: from now on no player here becomes a Host Peer (clients of other edges' hosts still may). */
    public Future<Void> drain() {
        return bus.request(DRAIN, null, options).mapEmpty();
    }

    public Future<Departure> leave(long session) {
        return bus.<JsonObject>request(LEAVE, new JsonObject().put("session", session), options)
                .map(m -> Departure.fromJson(m.body()));
    }

    /**
     * A player's own report: what it receives (kbit/s; null: not said) and what its relays upload (null: not said), on
     * a stream the edge announced to it at {@code streamKbps} (0: unknown).
     */
    public Future<Void> report(long session, Integer kbps, HostCapacity.Upload upload, int streamKbps) {
        return bus.request(REPORT, new HostReport(session, kbps, upload, streamKbps).toJson(), options).mapEmpty();
    }

    /** The registry's hosts, for monitoring and tests: {@code [{host, stream, family, clients:[...], ...}]}. */
    public Future<JsonArray> hosts() {
        return bus.<JsonArray>request(HOSTS, null, options).map(m -> m.body());
    }
}
