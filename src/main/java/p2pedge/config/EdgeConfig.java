package p2pedge.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/** The edge's configuration, parsed and checked in one place. */
public record EdgeConfig(Signalling signalling, Media media, P2p p2p, Cluster cluster, List<IceServer> iceServers,
                         List<StreamSpec> streams, Whip whip, Metrics metrics) {

    /**
     * The operators' HTTP port: {@code /metrics} (Prometheus), {@code /health}, the admin API and the dashboard.
     *
     * @param adminToken bearer token of the admin API and the dashboard; empty: a random one is made at start and logged
     */
    public record Metrics(boolean enabled, String host, int port, String adminToken) {
    }

    /**
     * WHIP ingest on the signalling port ({@code POST /{app}/{stream}}).
     *
     * @param tokens                  app -> bearer token publishers of that app must present; an app without
     *                                one accepts any publisher
     * @param maxBodyBytes            largest SDP offer accepted
     * @param publisherTimeoutSeconds a publisher that has not connected, or has sent no media, for this long ends
     *                                its stream
     * @param replace                 a second publisher of a live name replaces the first (else 409)
     * @param relayIdleSeconds        an edge's pull of a stream published on another edge ends once no viewer of
     *                                that edge has watched it for this long
     */
    public record Whip(boolean enabled, java.util.Map<String, String> tokens, int maxBodyBytes, int publisherTimeoutSeconds,
                       boolean replace, int relayIdleSeconds) {
    }

    /**
     * The edge cluster (Hazelcast). {@code name}, {@code host}, {@code port} and {@code members} fill the
     * placeholders of {@code configFile} (cluster.xml).
     */
    public record Cluster(boolean enabled, String configFile, String name, String host, int port, String members) {
    }

    /**
     * P2P Delivery.
     * @param policy                    {@code measured} (default) or {@code ome} (the reference server's rules)
     * @param allowLinuxHosts           whether Linux desktops may host (the reference server refuses them)
     * @param hostOfferTimeoutMillis    a host must answer request_offer_p2p with offer_p2p within this
     * @param relayConnectTimeoutMillis the client must answer, and (if it reports) connect, within this
     * @param maxHostFailures           consecutive relay failures after which a host takes no new clients
     * @param maxHostAttemptsPerClient  hosts tried for one client before it is served by the edge
     */
    public record P2p(boolean enabled, int maxClientPeersPerHostPeer, String policy, boolean allowLinuxHosts,
                      int hostOfferTimeoutMillis, int relayConnectTimeoutMillis, int maxHostFailures,
                      int maxHostAttemptsPerClient) {
    }

    public record Signalling(String host, int port, int maxFrameBytes, int pingIntervalSeconds, int idleTimeoutSeconds,
                             int messagesPerSecond, int messageBurst, int maxProtocolErrors, int offerTimeoutSeconds) {
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
                       int maxViewers, int connectTimeoutSeconds, String plane, int forwarderPort,
                       int simulatedLossPercent, int retransmitBudgetPercent, int viewerKeyframeIntervalSeconds) {
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
     * @param codec       the video codec on the forwarding plane: "vp8" or "h264"
     */
    public record StreamSpec(String name, String source, int width, int height, int fps, int bitrateKbps, String codec) {
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
                intIn(s, "signalling.offerTimeoutSeconds", "offerTimeoutSeconds", 1, 600));
        JsonObject m = section(json, "media");
        Media media = new Media(
                intIn(m, "media.udpPortMin", "udpPortMin", 0, 65535),
                intIn(m, "media.udpPortMax", "udpPortMax", 0, 65535),
                strings(m.getJsonArray("iceCandidateAddresses", new JsonArray())),
                m.getBoolean("ipv6", false),
                m.getBoolean("tcp", false),
                intIn(m, "media.maxViewers", "maxViewers", 0, 1_000_000),
                intIn(m, "media.connectTimeoutSeconds", "connectTimeoutSeconds", 1, 600),
                m.getString("plane", "forwarder"),
                intIn(m, "media.forwarderPort", "forwarderPort", 0, 65535),
                intIn(m, "media.simulatedLossPercent", "simulatedLossPercent", 0, 50),
                intIn(m, "media.retransmitBudgetPercent", "retransmitBudgetPercent", 0, 100),
                intIn(m, "media.viewerKeyframeIntervalSeconds", "viewerKeyframeIntervalSeconds", 0, 60));
        if (!media.plane().equals("webrtc") && !media.plane().equals("forwarder")) {
            throw new IllegalArgumentException("media.plane must be 'webrtc' or 'forwarder', got '" + media.plane() + "'");
        }
        if (media.udpPortMin() > media.udpPortMax()) {
            throw new IllegalArgumentException("media.udpPortMin must not exceed media.udpPortMax");
        }
        JsonObject p = section(json, "p2p");
        P2p p2p = new P2p(
                p.getBoolean("enabled", true),
                intIn(p, "p2p.maxClientPeersPerHostPeer", "maxClientPeersPerHostPeer", 0, 64),
                p.getString("policy", "measured"),
                p.getBoolean("allowLinuxHosts", true),
                intIn(p, "p2p.hostOfferTimeoutMillis", "hostOfferTimeoutMillis", 100, 600_000),
                intIn(p, "p2p.relayConnectTimeoutMillis", "relayConnectTimeoutMillis", 100, 600_000),
                intIn(p, "p2p.maxHostFailures", "maxHostFailures", 1, 1000),
                intIn(p, "p2p.maxHostAttemptsPerClient", "maxHostAttemptsPerClient", 0, 100));
        if (!p2p.policy().equals("measured") && !p2p.policy().equals("ome")) {
            throw new IllegalArgumentException("p2p.policy must be 'measured' or 'ome', got '" + p2p.policy() + "'");
        }
        JsonObject c = section(json, "cluster");
        Cluster cluster = new Cluster(c.getBoolean("enabled", false), c.getString("configFile", "cluster.xml"),
                c.getString("name", "p2p-edge"), c.getString("host", "127.0.0.1"),
                intIn(c, "cluster.port", "port", 1, 65535), c.getString("members", "127.0.0.1"));
        List<IceServer> iceServers = new ArrayList<>();
        for (Object o : json.getJsonArray("iceServers", new JsonArray())) {
            JsonObject server = (JsonObject) o;
            Object urls = server.getValue("urls");
            List<String> list = urls instanceof JsonArray a ? strings(a) : List.of(String.valueOf(urls));
            iceServers.add(new IceServer(list, server.getString("username"), server.getString("credential")));
        }
        List<StreamSpec> streams = new ArrayList<>();
        for (Object o : json.getJsonArray("streams", new JsonArray())) {
            JsonObject stream = (JsonObject) o;
            String name = stream.getString("name", "");
            if (!name.matches("[A-Za-z0-9._~-]+/[A-Za-z0-9._~-]+")) {
                throw new IllegalArgumentException("stream name must be app/stream, got '" + name + "'");
            }
            streams.add(new StreamSpec(name, stream.getString("source", "demo"),
                    intIn(stream, "streams.width", "width", 160, 3840),
                    intIn(stream, "streams.height", "height", 64, 2160),
                    intIn(stream, "streams.fps", "fps", 1, 60),
                    stream.containsKey("bitrateKbps") ? intIn(stream, "streams.bitrateKbps", "bitrateKbps", 50, 20_000) : 600,
                    videoCodec(stream.getString("codec", "vp8"))));
        }
        JsonObject w = section(json, "whip");
        java.util.Map<String, String> tokens = new java.util.HashMap<>();
        w.getJsonObject("tokens", new JsonObject()).forEach(e -> tokens.put(e.getKey(), String.valueOf(e.getValue())));
        Whip whip = new Whip(w.getBoolean("enabled", true), java.util.Map.copyOf(tokens),
                intIn(w, "whip.maxBodyBytes", "maxBodyBytes", 1024, 1 << 20),
                intIn(w, "whip.publisherTimeoutSeconds", "publisherTimeoutSeconds", 1, 3600),
                w.getBoolean("replace", false),
                intIn(w, "whip.relayIdleSeconds", "relayIdleSeconds", 1, 86_400));
        JsonObject mx = section(json, "metrics");
        Metrics metrics = new Metrics(mx.getBoolean("enabled", true), mx.getString("host", "0.0.0.0"),
                intIn(mx, "metrics.port", "port", 0, 65535), mx.getString("adminToken", ""));
        return new EdgeConfig(signalling, media, p2p, cluster, List.copyOf(iceServers), List.copyOf(streams), whip, metrics);
    }

    private static String videoCodec(String codec) {
        if (!codec.equals("vp8") && !codec.equals("h264")) {
            throw new IllegalArgumentException("streams.codec must be 'vp8' or 'h264', got '" + codec + "'");
        }
        return codec;
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
