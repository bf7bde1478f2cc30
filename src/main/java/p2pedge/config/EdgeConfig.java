package p2pedge.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The edge's configuration, parsed and checked in one place. */
public record EdgeConfig(Signalling signalling, Media media, P2p p2p, Cluster cluster, List<IceServer> iceServers,
                         List<StreamSpec> streams, Whip whip, Metrics metrics, Http http) {

    // The choices below are spelled in lower case in the config file; each is parsed once, here.

    /** {@code media.plane}: the forwarder, or the per-viewer webrtc-java plane. */
    public enum Plane { FORWARDER, WEBRTC }

    /** {@code p2p.policy}: the edge's own measured policy, or the reference server's rules. */
    public enum Policy { MEASURED, OME }

    /** {@code streams[].codec}: the video codec a configured stream is encoded in on the forwarding plane. */
    public enum Codec { VP8, H264 }

    /**
     * Limits for every HTTP server of the edge (the signalling port and the operators' port).
     *
     * @param idleTimeoutSeconds       a connection with nothing read or written for this long is closed (WebSockets
     *                                 are kept busy by the signalling pings, so this must exceed their interval)
     * @param headerTimeoutSeconds     a connection must send a complete request head (or WebSocket upgrade) within
     *                                 this of connecting, or is closed
     * @param maxConnectionsPerAddress open connections one remote address may hold per port; 0: no cap
     */
    public record Http(int idleTimeoutSeconds, int headerTimeoutSeconds, int maxConnectionsPerAddress) {
    }

    /**
     * The operators' HTTP port: {@code /metrics} (Prometheus), {@code /health}, the admin API and the dashboard.
     *
     * @param adminToken     bearer token of the admin API and the dashboard; empty: the one in {@code adminTokenFile}
     * @param adminTokenFile where the edge keeps the admin token it makes when {@code adminToken} is empty: read if
     *                       present (readable by its owner alone), else made at random and written there with rights
     *                       rw------- (the start-up log names the file, never the token)
     */
    public record Metrics(boolean enabled, String host, int port, String adminToken, String adminTokenFile) {
    }

    /**
     * WHIP ingest on the signalling port ({@code POST /{app}/{stream}}).
     *
     * @param tokens                  app -> bearer token publishers of that app must present
     * @param openApps                apps that take publishers without a token ("*": every app without one); an app
     *                                with neither a token nor a place here takes no publisher (403)
     * @param maxPublishers           live WHIP publishers this edge takes at most (then 503)
     * @param maxBodyBytes            largest SDP offer accepted
     * @param publisherTimeoutSeconds a publisher that has not connected, or has sent no media, for this long ends
     *                                its stream
     * @param replace                 a second publisher of a live name replaces the first (else 409)
     * @param relayIdleSeconds        an edge's pull of a stream published on another edge ends once no viewer of
     *                                that edge has watched it for this long (the key is older than the name "pull")
     */
    public record Whip(boolean enabled, Map<String, String> tokens, List<String> openApps, int maxPublishers,
                       int maxBodyBytes, int publisherTimeoutSeconds, boolean replace, int relayIdleSeconds) {
    }

    /**
     * The edge cluster (Hazelcast). {@code name}, {@code host}, {@code port} and {@code members} fill the
     * placeholders of {@code configFile} (cluster.xml).
     */
    public record Cluster(boolean enabled, String configFile, String name, String host, int port, String members) {
    }

    /**
     * P2P Delivery.
     * @param policy                    measured (default) or ome (the reference server's rules)
     * @param allowLinuxHosts           whether Linux desktops may host (the reference server refuses them)
     * @param hostOfferTimeoutMillis    a host must answer request_offer_p2p with offer_p2p within this
     * @param relayConnectTimeoutMillis the client must answer, and (if it reports) connect, within this
     * @param maxHostFailures           consecutive failures of a host's own (silent on request_offer_p2p, gone) after
     *                                  which it takes no new clients
     * @param maxHostAttemptsPerClient  hosts tried for one client before it is served by the edge
     * @param allowLoopbackCandidates   relay loopback candidates between peers (peers on one machine: tests);
     *                                  off in production, where they aim a host's browser at its own machine
     * @param pairCooldownMillis        a client that gave up on a host (asked again, stopped the relay) is not
     *                                  placed on that host again for this long
     * @param minFailureWitnesses       distinct witnesses (client addresses) reporting a failed relay that take a host
     *                                  out; one client alone never can
     * @param witnessWindowSeconds      how long a client's report on a host's relay counts
     * @param witnessesByAddress        witnesses are client addresses (IPv4, IPv6 /48); false: sessions, for an edge
     *                                  behind a proxy that hides players' addresses
     */
    public record P2p(boolean enabled, int maxClientPeersPerHostPeer, Policy policy, boolean allowLinuxHosts,
                      int hostOfferTimeoutMillis, int relayConnectTimeoutMillis, int maxHostFailures,
                      int maxHostAttemptsPerClient, boolean allowLoopbackCandidates, int pairCooldownMillis,
                      int minFailureWitnesses, int witnessWindowSeconds, boolean witnessesByAddress) {
    }

    /**
     * @param maxSocketsPerAddress       WebSockets one remote address may hold; 0: no cap (e.g. all players behind one NAT)
     * @param maxPendingOffersPerAddress offers one remote address may hold unanswered; 0: no cap
     */
    public record Signalling(String host, int port, int maxFrameBytes, int pingIntervalSeconds, int idleTimeoutSeconds,
                             int messagesPerSecond, int messageBurst, int maxProtocolErrors, int offerTimeoutSeconds,
                             int maxSocketsPerAddress, int maxPendingOffersPerAddress) {
    }

    /**
     * @param iceCandidateAddresses addresses announced to players in place of the ones libwebrtc gathers
     *                              (empty: announce what was gathered), e.g. a public IP behind 1:1 NAT
     * @param retransmitBudgetPercent  forwarder: what NACKs may make the edge resend to one viewer, in bytes per second,
     *                              as a percentage of the stream's rate (each packet at most once per round trip)
     * @param viewerKeyframeIntervalSeconds forwarder: one viewer's keyframe requests (PLI/FIR) are passed on at most
     *                              once per this long, except while it waits for its first keyframe; 0: no limit
     */
    public record Media(int udpPortMin, int udpPortMax, List<String> iceCandidateAddresses, boolean ipv6, boolean tcp,
                       int maxViewers, int connectTimeoutSeconds, Plane plane, int forwarderPort,
                       int simulatedLossPercent,
                       int consentTimeoutSeconds, int dtlsHandshakeThreads, int dtlsHandshakeQueue, int dtlsStallMillis,
                       int retransmitBudgetPercent, int viewerKeyframeIntervalSeconds) {
    }

    /** A STUN/TURN server handed to players in the offer. */
    public record IceServer(List<String> urls, String username, String credential) {
        public JsonObject toJson() {
            JsonObject json = new JsonObject().put("urls", new JsonArray(urls));
            if (username != null) {
                json.put("username", username);
            }
            if (credential != null) {
                json.put("credential", credential);
            }
            return json;
        }
    }

    /**
     * @param bitrateKbps the video bitrate the stream is encoded at (the demo encoder is held there)
     * @param codec       the video codec on the forwarding plane
     */
    public record StreamSpec(String name, String source, int width, int height, int fps, int bitrateKbps, Codec codec) {
    }

    public static EdgeConfig from(JsonObject json) {
        JsonObject s = section(json, "signalling");
        Signalling signalling = new Signalling(
                s.getString("host", "0.0.0.0"),
                intIn(s, "signalling.port", "port", 0, 65535),
                intIn(s, "signalling.maxFrameBytes", "maxFrameBytes", 1024, 16 * 1024 * 1024),
                intIn(s, "signalling.pingIntervalSeconds", "pingIntervalSeconds", 1, 3600),
                intIn(s, "signalling.idleTimeoutSeconds", "idleTimeoutSeconds", 1, 3600),
                intIn(s, "signalling.messagesPerSecond", "messagesPerSecond", 1, 100_000),
                intIn(s, "signalling.messageBurst", "messageBurst", 1, 100_000),
                intIn(s, "signalling.maxProtocolErrors", "maxProtocolErrors", 1, 100_000),
                intIn(s, "signalling.offerTimeoutSeconds", "offerTimeoutSeconds", 1, 600),
                intIn(s, "signalling.maxSocketsPerAddress", "maxSocketsPerAddress", 0, 1_000_000),
                intIn(s, "signalling.maxPendingOffersPerAddress", "maxPendingOffersPerAddress", 0, 1_000_000));
        JsonObject m = section(json, "media");
        Media media = new Media(
                intIn(m, "media.udpPortMin", "udpPortMin", 0, 65535),
                intIn(m, "media.udpPortMax", "udpPortMax", 0, 65535),
                strings(m.getJsonArray("iceCandidateAddresses", new JsonArray())),
                m.getBoolean("ipv6", false),
                m.getBoolean("tcp", false),
                intIn(m, "media.maxViewers", "maxViewers", 0, 1_000_000),
                intIn(m, "media.connectTimeoutSeconds", "connectTimeoutSeconds", 1, 600),
                oneOf(m, "media.plane", "plane", Plane.FORWARDER),
                intIn(m, "media.forwarderPort", "forwarderPort", 0, 65535),
                intIn(m, "media.simulatedLossPercent", "simulatedLossPercent", 0, 50),
                intIn(m, "media.consentTimeoutSeconds", "consentTimeoutSeconds", 1, 3600),
                intIn(m, "media.dtlsHandshakeThreads", "dtlsHandshakeThreads", 1, 64),
                intIn(m, "media.dtlsHandshakeQueue", "dtlsHandshakeQueue", 0, 10_000),
                intIn(m, "media.dtlsStallMillis", "dtlsStallMillis", 200, 60_000),
                intIn(m, "media.retransmitBudgetPercent", "retransmitBudgetPercent", 0, 100),
                intIn(m, "media.viewerKeyframeIntervalSeconds", "viewerKeyframeIntervalSeconds", 0, 60));
        if (media.udpPortMin() > media.udpPortMax()) {
            throw new IllegalArgumentException("media.udpPortMin must not exceed media.udpPortMax");
        }
        JsonObject p = section(json, "p2p");
        P2p p2p = new P2p(
                p.getBoolean("enabled", true),
                intIn(p, "p2p.maxClientPeersPerHostPeer", "maxClientPeersPerHostPeer", 0, 64),
                oneOf(p, "p2p.policy", "policy", Policy.MEASURED),
                p.getBoolean("allowLinuxHosts", true),
                intIn(p, "p2p.hostOfferTimeoutMillis", "hostOfferTimeoutMillis", 100, 600_000),
                intIn(p, "p2p.relayConnectTimeoutMillis", "relayConnectTimeoutMillis", 100, 600_000),
                intIn(p, "p2p.maxHostFailures", "maxHostFailures", 1, 1000),
                intIn(p, "p2p.maxHostAttemptsPerClient", "maxHostAttemptsPerClient", 0, 100),
                p.getBoolean("allowLoopbackCandidates", false),
                intIn(p, "p2p.pairCooldownMillis", "pairCooldownMillis", 0, 3_600_000),
                intIn(p, "p2p.minFailureWitnesses", "minFailureWitnesses", 1, 1000),
                intIn(p, "p2p.witnessWindowSeconds", "witnessWindowSeconds", 1, 7 * 86_400),
                p.getBoolean("witnessesByAddress", true));
        JsonObject c = section(json, "cluster");
        Cluster cluster = new Cluster(c.getBoolean("enabled", false), c.getString("configFile", "cluster.xml"),
                c.getString("name", "p2p-edge"), c.getString("host", "127.0.0.1"),
                intIn(c, "cluster.port", "port", 1, 65535), c.getString("members", "127.0.0.1"));
        List<IceServer> iceServers = new ArrayList<>();
        for (Object o : json.getJsonArray("iceServers", new JsonArray())) {
            if (!(o instanceof JsonObject server)) {
                throw new IllegalArgumentException("each of iceServers must be an object {urls, username, credential}, got " + o);
            }
            Object urls = server.getValue("urls");
            List<String> list = urls instanceof JsonArray a ? strings(a) : List.of(String.valueOf(urls));
            iceServers.add(new IceServer(list, server.getString("username"), server.getString("credential")));
        }
        List<StreamSpec> streams = new ArrayList<>();
        for (Object o : json.getJsonArray("streams", new JsonArray())) {
            if (!(o instanceof JsonObject stream)) {
                throw new IllegalArgumentException("each of streams must be an object {name, source, ...}, got " + o);
            }
            String name = stream.getString("name", "");
            if (!name.matches("[A-Za-z0-9._~-]+/[A-Za-z0-9._~-]+")) {
                throw new IllegalArgumentException("stream name must be app/stream, got '" + name + "'");
            }
            streams.add(new StreamSpec(name, stream.getString("source", "demo"),
                    intIn(stream, "streams.width", "width", 160, 3840),
                    intIn(stream, "streams.height", "height", 64, 2160),
                    intIn(stream, "streams.fps", "fps", 1, 60),
                    stream.containsKey("bitrateKbps") ? intIn(stream, "streams.bitrateKbps", "bitrateKbps", 50, 20_000) : 600,
                    oneOf(stream, "streams.codec", "codec", Codec.VP8)));
        }
        JsonObject w = section(json, "whip");
        Map<String, String> tokens = whipTokens(w);
        List<String> openApps = strings(w.getJsonArray("openApps", new JsonArray()));
        for (String app : openApps) {
            if (!app.equals("*") && !app.matches(APP)) {
                throw new IllegalArgumentException("whip.openApps: '" + app + "' is not an app name (letters, digits, ._~-) nor *");
            }
            if (tokens.containsKey(app)) {
                throw new IllegalArgumentException("whip.openApps lists '" + app + "', which has a token in whip.tokens: "
                        + "an app is either open or protected");
            }
        }
        Whip whip = new Whip(w.getBoolean("enabled", true), tokens, openApps,
                intIn(w, "whip.maxPublishers", "maxPublishers", 1, 100_000),
                intIn(w, "whip.maxBodyBytes", "maxBodyBytes", 1024, 1 << 20),
                intIn(w, "whip.publisherTimeoutSeconds", "publisherTimeoutSeconds", 1, 3600),
                w.getBoolean("replace", false),
                intIn(w, "whip.relayIdleSeconds", "relayIdleSeconds", 1, 86_400));
        JsonObject mx = section(json, "metrics");
        Metrics metrics = new Metrics(mx.getBoolean("enabled", true), mx.getString("host", "0.0.0.0"),
                intIn(mx, "metrics.port", "port", 0, 65535), mx.getString("adminToken", ""),
                mx.getString("adminTokenFile", "data/admin-token"));
        if (metrics.adminTokenFile().isBlank()) {
            throw new IllegalArgumentException("metrics.adminTokenFile must name a file");
        }
        JsonObject h = section(json, "http");
        Http http = new Http(
                intIn(h, "http.idleTimeoutSeconds", "idleTimeoutSeconds", 1, 3600),
                intIn(h, "http.headerTimeoutSeconds", "headerTimeoutSeconds", 1, 600),
                intIn(h, "http.maxConnectionsPerAddress", "maxConnectionsPerAddress", 0, 1_000_000));
        if (http.idleTimeoutSeconds() <= signalling.pingIntervalSeconds()) {
            throw new IllegalArgumentException("http.idleTimeoutSeconds (" + http.idleTimeoutSeconds()
                    + ") must exceed signalling.pingIntervalSeconds (" + signalling.pingIntervalSeconds()
                    + "), or quiet players' WebSockets are cut between two pings");
        }
        if (http.maxConnectionsPerAddress() > 0 && (signalling.maxSocketsPerAddress() == 0
                || http.maxConnectionsPerAddress() < signalling.maxSocketsPerAddress())) {
            throw new IllegalArgumentException("http.maxConnectionsPerAddress (" + http.maxConnectionsPerAddress()
                    + ") must be 0 or at least signalling.maxSocketsPerAddress (" + signalling.maxSocketsPerAddress()
                    + "), or players over the socket cap are cut without being told why");
        }
        return new EdgeConfig(signalling, media, p2p, cluster, List.copyOf(iceServers), List.copyOf(streams), whip, metrics, http);
    }

    private static final String APP = "[A-Za-z0-9._~-]+";

    /** whip.tokens: app -> a non-blank string (a blank one would admit "Authorization: Bearer "). */
    private static Map<String, String> whipTokens(JsonObject whip) {
        Object value = whip.getValue("tokens", new JsonObject());
        if (!(value instanceof JsonObject tokens)) {
            throw new IllegalArgumentException("config key 'whip.tokens' must be an object of app -> token");
        }
        Map<String, String> out = new HashMap<>();
        for (String app : tokens.fieldNames()) {
            if (!(tokens.getValue(app) instanceof String token) || token.isBlank()) {
                throw new IllegalArgumentException("config key 'whip.tokens." + app + "' must be a non-blank string");
            }
            if (!app.matches(APP)) {
                throw new IllegalArgumentException("whip.tokens: '" + app + "' is not an app name (letters, digits, ._~-)");
            }
            out.put(app, token);
        }
        return Map.copyOf(out);
    }

    /** The constant of {@code fallback}'s enum that {@code key} names in lower case, {@code fallback} when it is absent. */
    private static <E extends Enum<E>> E oneOf(JsonObject json, String path, String key, E fallback) {
        Object value = json.getValue(key);
        if (value == null) {
            return fallback;
        }
        E[] choices = fallback.getDeclaringClass().getEnumConstants();
        for (E choice : choices) {
            if (choice.name().toLowerCase(Locale.ROOT).equals(value)) {
                return choice;
            }
        }
        throw new IllegalArgumentException("config key '" + path + "' must be one of " + Arrays.stream(choices)
                .map(c -> "'" + c.name().toLowerCase(Locale.ROOT) + "'").collect(Collectors.joining(", ")) + ", got '" + value + "'");
    }

    private static JsonObject section(JsonObject json, String key) {
        JsonObject section = json.getJsonObject(key);
        if (section == null) {
            throw new IllegalArgumentException("config section '" + key + "' is missing");
        }
        return section;
    }

    private static int intIn(JsonObject json, String path, String key, int min, int max) {
        Number n = json.getNumber(key);
        if (n == null) {
            throw new IllegalArgumentException("config key '" + path + "' is missing");
        }
        long v = n.longValue();
        if (v < min || v > max) {
            throw new IllegalArgumentException("config key '" + path + "' must be in [" + min + ", " + max + "], got " + v);
        }
        return (int) v;
    }

    private static List<String> strings(JsonArray array) {
        List<String> out = new ArrayList<>();
        array.forEach(o -> out.add(String.valueOf(o)));
        return List.copyOf(out);
    }
}
