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

/**
 * The edge's configuration, parsed and checked in one place. Every default is in one place too: the built-in
 * {@code edge.json} (a copy of {@code conf/edge.json}) that {@link ConfigLoader} merges the operator's file over;
 * parsing here requires every key, so a default is never written twice. (The one exception: the optional fields
 * of a {@code streams} entry, which no file-level merge can fill, default in {@link StreamSpec}.) Each component
 * is handed its own section.
 */
public record EdgeConfig(Signalling signalling, Media media, P2p p2p, Cluster cluster, List<IceServer> iceServers,
                         List<StreamSpec> streams, Whip whip, Pull pull, Metrics metrics, Http http, Admission admission,
                         Threads threads) {

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
    public record Metrics(boolean enabled, String host, int port, String adminToken, String adminTokenFile, Tls tls) {
    }

    /**
     * TLS on one HTTP port ({@code signalling.tls}, {@code metrics.tls}): the port then speaks only HTTPS and WSS.
     *
     * @param certFile   the certificate chain in PEM
     * @param keyFile    its private key in PEM (PKCS#8, or PKCS#1 RSA)
     * @param selfSigned for local use: the edge makes a self-signed certificate (for localhost and its own addresses)
     *                   in {@code certFile}/{@code keyFile}, or {@link #SELF_SIGNED_CERT}/{@link #SELF_SIGNED_KEY}
     *                   when those are empty, if none is there yet or it expires within a day
     */
    public record Tls(boolean enabled, String certFile, String keyFile, boolean selfSigned) {

        public static final String SELF_SIGNED_CERT = "data/tls/self-signed-cert.pem";
        public static final String SELF_SIGNED_KEY = "data/tls/self-signed-key.pem";

        /** The certificate file the port uses (a made one's default place when none is named). */
        public String certPath() {
            return certFile.isEmpty() && selfSigned ? SELF_SIGNED_CERT : certFile;
        }

        public String keyPath() {
            return keyFile.isEmpty() && selfSigned ? SELF_SIGNED_KEY : keyFile;
        }

        /** The URL scheme of the port: {@code https} or {@code http} (web sockets: {@code wss} or {@code ws}). */
        public String scheme(boolean webSocket) {
            return (webSocket ? "ws" : "http") + (enabled ? "s" : "");
        }
    }

    /** Each HTTP port's TLS section, by port name ({@code signalling}, then {@code metrics}). */
    public Map<String, Tls> httpTls() {
        Map<String, Tls> byPort = new java.util.LinkedHashMap<>();
        byPort.put("signalling", signalling.tls());
        byPort.put("metrics", metrics.tls());
        return byPort;
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
     */
    public record Whip(boolean enabled, Map<String, String> tokens, List<String> openApps, int maxPublishers,
                       int maxBodyBytes, int publisherTimeoutSeconds, boolean replace) {
    }

    /**
     * Who may play: with {@code enabled}, a player must present a signed token (JWT) for the stream it opens.
     *
     * @param jwtKeys       the keys a token may be signed with (several: rotation)
     * @param leewaySeconds clock skew allowed on a token's expiry and not-before
     * @param defaultP2p    what a token without a {@code p2p} claim allows (and every player, when not enabled)
     */
    public record Admission(boolean enabled, List<JwtKey> jwtKeys, int leewaySeconds, P2pConsent defaultP2p) {
    }

    /**
     * {@code admission.defaultP2p} and a token's {@code p2p} claim: a player may relay to others and play from a peer
     * ({@code host}), only play from a peer ({@code client}), or neither ({@code none}: its address is never given
     * to another player).
     */
    public enum P2pConsent { HOST, CLIENT, NONE }

    /**
     * A key tokens are signed with: an HMAC secret ({@code HS256}, {@code HS384}, {@code HS512}) or a public key in
     * PEM ({@code RS256}, {@code ES256}, ...).
     */
    public record JwtKey(String algorithm, String secret, String publicKey) {
    }

    /**
     * Vert.x's threads.
     *
     * @param eventLoops the event loops every verticle's context is given one of, in turn; 0: Vert.x's default (two per
     *                   core). Signalling, classification, the media plane's sockets and the operators' port are one
     *                   instance each: with one loop, signalling's requests to classification wake no other thread
     *                   (bench/signalling.sh, README: Operations benchmarks)
     */
    public record Threads(int eventLoops) {
    }

    /**
     * Pulls: an edge whose viewers ask for a stream published on another edge of the cluster pulls it once.
     *
     * @param idleSeconds a pull ends once no viewer of the pulling edge has watched it for this long
     */
    public record Pull(int idleSeconds) {
    }

    /**
     * The edge cluster (Hazelcast). {@code name}, {@code host}, {@code port} and {@code members} fill the
     * placeholders of {@code configFile} (cluster.xml); {@code discovery} says how the members find each other.
     */
    public record Cluster(boolean enabled, String configFile, String name, String host, int port, String members,
                          Discovery discovery, Kubernetes kubernetes, EventBusTls eventBusTls) {
    }

    /**
     * {@code cluster.eventBusTls}: mutual TLS between the edges' event buses (which carry relayed signalling and the
     * admin API's cluster-wide answers). Each edge presents {@code certFile}/{@code keyFile} and accepts only peers
     * whose certificate {@code caFile} vouches for (one shared self-signed certificate can be both). Hazelcast's own
     * member traffic (the Host Peer map) has no TLS in its open-source edition: see the README's cluster section.
     */
    public record EventBusTls(boolean enabled, String certFile, String keyFile, String caFile) {
    }

    /** {@code cluster.discovery}: the fixed list in {@code cluster.members} ({@code tcp-ip}), or {@code kubernetes}. */
    public enum Discovery { TCP_IP, KUBERNETES }

    /**
     * {@code cluster.kubernetes} (discovery {@code kubernetes}): the edges are the addresses a DNS lookup of
     * {@code serviceDns} (a headless service) returns; when it is empty, the endpoints of {@code serviceName} in
     * {@code namespace} (empty: the pod's own), read from the Kubernetes API, which needs the rights to read them.
     */
    public record Kubernetes(String serviceDns, String namespace, String serviceName) {
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
                      int minFailureWitnesses, int witnessWindowSeconds, boolean witnessesByAddress, Pairing pairing,
                      int unprovenRelayTimeoutMillis, PairLearning pairLearning, int silentGiveUpSeconds, Regroup regroup,
                      Capacity capacity) {
    }

    /**
     * {@code p2p.capacity} (policy {@code measured} only; {@code ome} gives every host
     * {@code maxClientPeersPerHostPeer}): a host starts with {@code startSlots} (at most the cap), gains one once its
     * relays have run unlimited with spare upload for one more ({@code headroomPercent} of the stream's bitrate) for
     * {@code raiseAfterSeconds}, up to the cap; its relays limited by bandwidth or CPU for {@code lowerAfterSeconds}
     * cost it a slot (its newest client is moved), and then no raise for {@code holdSeconds}.
     */
    public record Capacity(int startSlots, int headroomPercent, int raiseAfterSeconds, int lowerAfterSeconds, int holdSeconds) {
    }

    /**
     * {@code p2p.regroup} (policy {@code measured} only): every {@code intervalMillis}, hosts of this edge with no
     * client whose edge connection has carried media for {@code settleSeconds} move onto another host with a free
     * slot, each at most once per {@code minMoveIntervalSeconds}.
     */
    public record Regroup(boolean enabled, int intervalMillis, int settleSeconds, int minMoveIntervalSeconds) {
    }

    /** {@code p2p.pairing}: which host -> client pairs are tried. */
    public enum Pairing {
        /** Only pairs predicted to connect (one network, or both NATs measured endpoint-independent). */
        REACHABLE,
        /** Every pair, as OvenMediaEngine does; those predicted to fail with {@code unprovenRelayTimeoutMillis}. */
        ANY
    }

    /**
     * {@code p2p.pairLearning}: a kind of pair (one network, or the two NAT mappings) whose last {@code window}
     * relays connected less than {@code minSuccessPercent} of the time (at least {@code minRelays} ended) is not
     * tried for {@code cooldownSeconds}.
     */
    public record PairLearning(int window, int minRelays, int minSuccessPercent, int cooldownSeconds) {
    }

    /**
     * @param maxSocketsPerAddress       WebSockets one remote address may hold; 0: no cap (e.g. all players behind one NAT)
     * @param maxPendingOffersPerAddress offers one remote address may hold unanswered; 0: no cap
     */
    public record Signalling(String host, int port, int maxFrameBytes, int pingIntervalSeconds, int idleTimeoutSeconds,
                             int messagesPerSecond, int messageBurst, int maxProtocolErrors, int offerTimeoutSeconds,
                             int maxSocketsPerAddress, int maxPendingOffersPerAddress, Tls tls) {
    }

    /**
     * The media plane, with one section for each of the two planes (only the one in {@code plane} is used).
     *
     * @param maxViewers            edge-served viewers before 503
     * @param connectTimeoutSeconds an offer must be answered, and the media connection established, within this
     * @param iceCandidateAddresses addresses announced to players in place of the edge's own (empty: the edge's
     *                              interfaces, or what libwebrtc gathered), e.g. a public IP behind 1:1 NAT
     */
    public record Media(Plane plane, int maxViewers, int connectTimeoutSeconds, List<String> iceCandidateAddresses,
                        Forwarder forwarder, PerViewer webrtc) {
    }

    /**
     * {@code media.forwarder}: the forwarding plane's one UDP port and its per-viewer limits.
     *
     * @param port                          the one UDP port (ICE-lite, DTLS-SRTP, RTP/RTCP for every viewer)
     * @param consentTimeoutSeconds         RFC 7675: a viewer whose address sent no valid check this long gets no media
     * @param dtlsHandshakeThreads          DTLS handshakes run on their own pool of this many threads
     * @param dtlsHandshakeQueue            handshakes waiting for a thread at most (more are refused)
     * @param dtlsStallMillis               a handshake whose peer sends nothing this long gives its thread back
     * @param retransmitBudgetPercent       what NACKs may make the edge resend to one viewer, in bytes per second,
     *                                      as a percentage of the stream's rate (each packet at most once per round trip)
     * @param viewerKeyframeIntervalSeconds one viewer's keyframe requests (PLI/FIR) are passed on at most once per
     *                                      this long, except while it waits for its first keyframe; 0: no limit
     * @param simulatedLossPercent          diagnostic: outgoing RTP dropped on purpose
     * @param simulatedSourceLossPercent    diagnostic: incoming RTP (from publishers) dropped on purpose, before SRTP
     * @param pacing                        with {@code twcc}: each viewer is sent no faster than its path was measured
     *                                      to carry (keyframe bursts wait at the edge, not in a router that drops them)
     * @param fanoutThreads                 threads that forward one source packet to a stream's viewers, the media
     *                                      thread included: above 1, a large fan-out is cut into that many slices
     * @param srtpProfiles                  the DTLS-SRTP profiles a peer may settle on, the edge's preferred first (names
     *                                      as in RFC 5764/7714, checked when the media plane starts)
     * @param receiveTickMillis             0: each datagram on the port is handed to the media thread as it is read;
     *                                      above 0, what arrives within this long is read and handed over together
     *                                      (fewer wakes under viewers' feedback, up to this long of added wait)
     */
    public record Forwarder(int port, int consentTimeoutSeconds, int dtlsHandshakeThreads, int dtlsHandshakeQueue,
                            int dtlsStallMillis, int retransmitBudgetPercent, int viewerKeyframeIntervalSeconds,
                            int simulatedLossPercent, int simulatedSourceLossPercent, CongestionFeedback congestionFeedback,
                            boolean pacing,
                            int fanoutThreads, List<String> srtpProfiles, int receiveTickMillis, Stun stun, Tcp tcp) {
    }

    /**
     * {@code media.forwarder.congestionFeedback}: what the edge asks viewers' receivers to report about the path from
     * the edge. REMB: the receiver's own estimate (abs-send-time stamped by the edge). TWCC: every packet's arrival
     * (transport-wide sequence numbers), from which the edge measures what reached the viewer itself.
     */
    public enum CongestionFeedback { REMB, TWCC }

    /**
     * {@code media.forwarder.tcp}: ICE-TCP (RFC 6544, passive; RFC 4571 framing) on the forwarder's port number, for
     * viewers whose network drops UDP. Every connection is a public resource: bounded in number, per address, and
     * closed unless it passes an ICE check soon after it opens.
     *
     * @param maxConnections        TCP connections open at once on the edge (more are closed at once)
     * @param connectionsPerAddress TCP connections from one IP at most
     * @param checkSeconds          a connection must pass an authenticated ICE check within this long
     */
    public record Tcp(boolean enabled, int maxConnections, int connectionsPerAddress, int checkSeconds) {
    }

    /**
     * {@code media.forwarder.stun}: STUN for the edge's own players (Binding requests without credentials), on the
     * forwarder's port and a second one, so that players learn their public address for P2P legs and the edge
     * measures how their NAT maps UDP.
     *
     * @param port              the second port (0: any free port); the first is the forwarder's
     * @param requestsPerSecond answers per player address at most (a burst of twice that); only addresses that
     *                          hold a signalling socket are answered at all
     */
    public record Stun(boolean enabled, int port, int requestsPerSecond) {
    }

    /** {@code media.webrtc}: the per-viewer webrtc-java plane's UDP port range, IPv6 and ICE-TCP candidates. */
    public record PerViewer(int udpPortMin, int udpPortMax, boolean ipv6, boolean tcp) {
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
     * @param layers      simulcast layers the demo publishes on the forwarding plane (1: one encoding; 2 or 3: each
     *                    next one at half the width and height and a third of the bitrate, see DemoPublisher)
     * @param keyframeIntervalSeconds the demo encoder is asked for a keyframe this often, as a broadcast encoder's
     *                    group of pictures (OBS and streaming services: 1-4 s); 0: only when a viewer needs one
     */
    public record StreamSpec(String name, String source, int width, int height, int fps, int bitrateKbps, Codec codec,
                             int layers, int keyframeIntervalSeconds) {
        /** What an entry that leaves them out gets. */
        static final String DEFAULT_SOURCE = "demo";
        static final int DEFAULT_BITRATE_KBPS = 600;
        static final Codec DEFAULT_CODEC = Codec.VP8;
        static final int DEFAULT_LAYERS = 1;

        /** The same stream with {@code count} layers (the per-viewer plane encodes one per viewer). */
        public StreamSpec withLayers(int count) {
            return new StreamSpec(name, source, width, height, fps, bitrateKbps, codec, count, keyframeIntervalSeconds);
        }
    }

    /** Keys of older releases, and where each lives now: a file that still uses one is refused with the new name. */
    private static final Map<String, String> MOVED = Map.ofEntries(
            Map.entry("media.udpPortMin", "media.webrtc.udpPortMin"),
            Map.entry("media.udpPortMax", "media.webrtc.udpPortMax"),
            Map.entry("media.ipv6", "media.webrtc.ipv6"),
            Map.entry("media.tcp", "media.webrtc.tcp"),
            Map.entry("media.forwarderPort", "media.forwarder.port"),
            Map.entry("media.consentTimeoutSeconds", "media.forwarder.consentTimeoutSeconds"),
            Map.entry("media.dtlsHandshakeThreads", "media.forwarder.dtlsHandshakeThreads"),
            Map.entry("media.dtlsHandshakeQueue", "media.forwarder.dtlsHandshakeQueue"),
            Map.entry("media.dtlsStallMillis", "media.forwarder.dtlsStallMillis"),
            Map.entry("media.retransmitBudgetPercent", "media.forwarder.retransmitBudgetPercent"),
            Map.entry("media.viewerKeyframeIntervalSeconds", "media.forwarder.viewerKeyframeIntervalSeconds"),
            Map.entry("media.simulatedLossPercent", "media.forwarder.simulatedLossPercent"),
            Map.entry("whip.relayIdleSeconds", "pull.idleSeconds"));

    /**
     * Per-key overrides ({@link ConfigOverrides}) apply only to keys the file has, so one that names a key of an
     * older release would be ignored without a word: refused here, with the key's new name.
     */
    static void refuseMovedOverrides(Map<String, String> systemProperties, Map<String, String> environment) {
        MOVED.forEach((was, now) -> {
            String variable = ConfigOverrides.environmentName(was);
            if (systemProperties.containsKey(was) || environment.containsKey(variable)) {
                throw new IllegalArgumentException("override of config key '" + was + "' (system property " + was
                        + " or environment variable " + variable + "): the key is now '" + now + "' ("
                        + ConfigOverrides.environmentName(now) + ")");
            }
        });
    }

    public static EdgeConfig from(JsonObject json) {
        MOVED.forEach((was, now) -> {
            String[] path = was.split("\\.");
            JsonObject parent = json.getJsonObject(path[0]);
            if (parent != null && parent.containsKey(path[1])) {
                throw new IllegalArgumentException("config key '" + was + "' is now '" + now + "'");
            }
        });
        JsonObject s = section(json, "signalling");
        Signalling signalling = new Signalling(
                string(s, "signalling.host", "host"),
                intIn(s, "signalling.port", "port", 0, 65535),
                intIn(s, "signalling.maxFrameBytes", "maxFrameBytes", 1024, 16 * 1024 * 1024),
                intIn(s, "signalling.pingIntervalSeconds", "pingIntervalSeconds", 1, 3600),
                intIn(s, "signalling.idleTimeoutSeconds", "idleTimeoutSeconds", 1, 3600),
                intIn(s, "signalling.messagesPerSecond", "messagesPerSecond", 1, 100_000),
                intIn(s, "signalling.messageBurst", "messageBurst", 1, 100_000),
                intIn(s, "signalling.maxProtocolErrors", "maxProtocolErrors", 1, 100_000),
                intIn(s, "signalling.offerTimeoutSeconds", "offerTimeoutSeconds", 1, 600),
                intIn(s, "signalling.maxSocketsPerAddress", "maxSocketsPerAddress", 0, 1_000_000),
                intIn(s, "signalling.maxPendingOffersPerAddress", "maxPendingOffersPerAddress", 0, 1_000_000),
                tls(s, "signalling"));
        JsonObject m = section(json, "media");
        JsonObject f = section(m, "media.forwarder", "forwarder");
        JsonObject w = section(m, "media.webrtc", "webrtc");
        JsonObject st = section(f, "media.forwarder.stun", "stun");
        JsonObject tcp = section(f, "media.forwarder.tcp", "tcp");
        Media media = new Media(
                oneOf(m, "media.plane", "plane", Plane.class),
                intIn(m, "media.maxViewers", "maxViewers", 0, 1_000_000),
                intIn(m, "media.connectTimeoutSeconds", "connectTimeoutSeconds", 1, 600),
                strings(m, "media.iceCandidateAddresses", "iceCandidateAddresses"),
                new Forwarder(
                        intIn(f, "media.forwarder.port", "port", 0, 65535),
                        intIn(f, "media.forwarder.consentTimeoutSeconds", "consentTimeoutSeconds", 1, 3600),
                        intIn(f, "media.forwarder.dtlsHandshakeThreads", "dtlsHandshakeThreads", 1, 64),
                        intIn(f, "media.forwarder.dtlsHandshakeQueue", "dtlsHandshakeQueue", 0, 10_000),
                        intIn(f, "media.forwarder.dtlsStallMillis", "dtlsStallMillis", 200, 60_000),
                        intIn(f, "media.forwarder.retransmitBudgetPercent", "retransmitBudgetPercent", 0, 100),
                        intIn(f, "media.forwarder.viewerKeyframeIntervalSeconds", "viewerKeyframeIntervalSeconds", 0, 60),
                        intIn(f, "media.forwarder.simulatedLossPercent", "simulatedLossPercent", 0, 50),
                        intIn(f, "media.forwarder.simulatedSourceLossPercent", "simulatedSourceLossPercent", 0, 50),
                        oneOf(f, "media.forwarder.congestionFeedback", "congestionFeedback", CongestionFeedback.class),
                        bool(f, "media.forwarder.pacing", "pacing"),
                        intIn(f, "media.forwarder.fanoutThreads", "fanoutThreads", 1, 64),
                        nonEmpty(strings(f, "media.forwarder.srtpProfiles", "srtpProfiles"), "media.forwarder.srtpProfiles"),
                        intIn(f, "media.forwarder.receiveTickMillis", "receiveTickMillis", 0, 20),
                        new Stun(bool(st, "media.forwarder.stun.enabled", "enabled"),
                                intIn(st, "media.forwarder.stun.port", "port", 0, 65535),
                                intIn(st, "media.forwarder.stun.requestsPerSecond", "requestsPerSecond", 1, 1000)),
                        new Tcp(bool(tcp, "media.forwarder.tcp.enabled", "enabled"),
                                intIn(tcp, "media.forwarder.tcp.maxConnections", "maxConnections", 1, 1_000_000),
                                intIn(tcp, "media.forwarder.tcp.connectionsPerAddress", "connectionsPerAddress", 1, 10_000),
                                intIn(tcp, "media.forwarder.tcp.checkSeconds", "checkSeconds", 1, 60))),
                new PerViewer(
                        intIn(w, "media.webrtc.udpPortMin", "udpPortMin", 0, 65535),
                        intIn(w, "media.webrtc.udpPortMax", "udpPortMax", 0, 65535),
                        bool(w, "media.webrtc.ipv6", "ipv6"),
                        bool(w, "media.webrtc.tcp", "tcp")));
        if (media.webrtc().udpPortMin() > media.webrtc().udpPortMax()) {
            throw new IllegalArgumentException("media.webrtc.udpPortMin must not exceed media.webrtc.udpPortMax");
        }
        JsonObject p = section(json, "p2p");
        JsonObject pl = section(p, "p2p.pairLearning", "pairLearning");
        JsonObject rg = section(p, "p2p.regroup", "regroup");
        JsonObject cp = section(p, "p2p.capacity", "capacity");
        P2p p2p = new P2p(
                bool(p, "p2p.enabled", "enabled"),
                intIn(p, "p2p.maxClientPeersPerHostPeer", "maxClientPeersPerHostPeer", 0, 64),
                oneOf(p, "p2p.policy", "policy", Policy.class),
                bool(p, "p2p.allowLinuxHosts", "allowLinuxHosts"),
                intIn(p, "p2p.hostOfferTimeoutMillis", "hostOfferTimeoutMillis", 100, 600_000),
                intIn(p, "p2p.relayConnectTimeoutMillis", "relayConnectTimeoutMillis", 100, 600_000),
                intIn(p, "p2p.maxHostFailures", "maxHostFailures", 1, 1000),
                intIn(p, "p2p.maxHostAttemptsPerClient", "maxHostAttemptsPerClient", 0, 100),
                bool(p, "p2p.allowLoopbackCandidates", "allowLoopbackCandidates"),
                intIn(p, "p2p.pairCooldownMillis", "pairCooldownMillis", 0, 3_600_000),
                intIn(p, "p2p.minFailureWitnesses", "minFailureWitnesses", 1, 1000),
                intIn(p, "p2p.witnessWindowSeconds", "witnessWindowSeconds", 1, 7 * 86_400),
                bool(p, "p2p.witnessesByAddress", "witnessesByAddress"),
                oneOf(p, "p2p.pairing", "pairing", Pairing.class),
                intIn(p, "p2p.unprovenRelayTimeoutMillis", "unprovenRelayTimeoutMillis", 100, 600_000),
                new PairLearning(intIn(pl, "p2p.pairLearning.window", "window", 1, 1000),
                        intIn(pl, "p2p.pairLearning.minRelays", "minRelays", 1, 1000),
                        intIn(pl, "p2p.pairLearning.minSuccessPercent", "minSuccessPercent", 0, 100),
                        intIn(pl, "p2p.pairLearning.cooldownSeconds", "cooldownSeconds", 0, 86_400)),
                intIn(p, "p2p.silentGiveUpSeconds", "silentGiveUpSeconds", 0, 3600),
                new Regroup(bool(rg, "p2p.regroup.enabled", "enabled"),
                        intIn(rg, "p2p.regroup.intervalMillis", "intervalMillis", 100, 600_000),
                        intIn(rg, "p2p.regroup.settleSeconds", "settleSeconds", 0, 3600),
                        intIn(rg, "p2p.regroup.minMoveIntervalSeconds", "minMoveIntervalSeconds", 0, 86_400)),
                new Capacity(intIn(cp, "p2p.capacity.startSlots", "startSlots", 0, 64),
                        intIn(cp, "p2p.capacity.headroomPercent", "headroomPercent", 100, 1000),
                        intIn(cp, "p2p.capacity.raiseAfterSeconds", "raiseAfterSeconds", 1, 3600),
                        intIn(cp, "p2p.capacity.lowerAfterSeconds", "lowerAfterSeconds", 1, 3600),
                        intIn(cp, "p2p.capacity.holdSeconds", "holdSeconds", 0, 86_400)));
        Cluster cluster = cluster(section(json, "cluster"));
        List<IceServer> iceServers = new ArrayList<>();
        for (Object o : array(json, "iceServers", "iceServers")) {
            if (!(o instanceof JsonObject server)) {
                throw new IllegalArgumentException("each of iceServers must be an object {urls, username, credential}, got " + o);
            }
            Object urls = server.getValue("urls");
            List<String> list = urls instanceof JsonArray a ? List.copyOf(a.stream().map(String::valueOf).toList())
                    : List.of(String.valueOf(urls));
            iceServers.add(new IceServer(list, server.getString("username"), server.getString("credential")));
        }
        List<StreamSpec> streams = new ArrayList<>();
        for (Object o : array(json, "streams", "streams")) {
            if (!(o instanceof JsonObject stream)) {
                throw new IllegalArgumentException("each of streams must be an object {name, source, ...}, got " + o);
            }
            String name = stream.getString("name", "");
            if (!name.matches("[A-Za-z0-9._~-]+/[A-Za-z0-9._~-]+")) {
                throw new IllegalArgumentException("stream name must be app/stream, got '" + name + "'");
            }
            streams.add(new StreamSpec(name, stream.getString("source", StreamSpec.DEFAULT_SOURCE),
                    intIn(stream, "streams.width", "width", 160, 3840),
                    intIn(stream, "streams.height", "height", 64, 2160),
                    intIn(stream, "streams.fps", "fps", 1, 60),
                    stream.containsKey("bitrateKbps") ? intIn(stream, "streams.bitrateKbps", "bitrateKbps", 50, 20_000)
                            : StreamSpec.DEFAULT_BITRATE_KBPS,
                    stream.containsKey("codec") ? oneOf(stream, "streams.codec", "codec", Codec.class) : StreamSpec.DEFAULT_CODEC,
                    stream.containsKey("layers") ? intIn(stream, "streams.layers", "layers", 1, 3) : StreamSpec.DEFAULT_LAYERS,
                    stream.containsKey("keyframeIntervalSeconds")
                            ? intIn(stream, "streams.keyframeIntervalSeconds", "keyframeIntervalSeconds", 0, 60) : 0));
        }
        JsonObject wh = section(json, "whip");
        Map<String, String> tokens = whipTokens(wh);
        List<String> openApps = strings(wh, "whip.openApps", "openApps");
        for (String app : openApps) {
            if (!app.equals("*") && !app.matches(APP)) {
                throw new IllegalArgumentException("whip.openApps: '" + app + "' is not an app name (letters, digits, ._~-) nor *");
            }
            if (tokens.containsKey(app)) {
                throw new IllegalArgumentException("whip.openApps lists '" + app + "', which has a token in whip.tokens: "
                        + "an app is either open or protected");
            }
        }
        Whip whip = new Whip(bool(wh, "whip.enabled", "enabled"), tokens, openApps,
                intIn(wh, "whip.maxPublishers", "maxPublishers", 1, 100_000),
                intIn(wh, "whip.maxBodyBytes", "maxBodyBytes", 1024, 1 << 20),
                intIn(wh, "whip.publisherTimeoutSeconds", "publisherTimeoutSeconds", 1, 3600),
                bool(wh, "whip.replace", "replace"));
        Pull pull = new Pull(intIn(section(json, "pull"), "pull.idleSeconds", "idleSeconds", 1, 86_400));
        JsonObject mx = section(json, "metrics");
        Metrics metrics = new Metrics(bool(mx, "metrics.enabled", "enabled"), string(mx, "metrics.host", "host"),
                intIn(mx, "metrics.port", "port", 0, 65535), string(mx, "metrics.adminToken", "adminToken"),
                string(mx, "metrics.adminTokenFile", "adminTokenFile"), tls(mx, "metrics"));
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
        Threads threads = new Threads(intIn(section(json, "threads"), "threads.eventLoops", "eventLoops", 0, 1024));
        return new EdgeConfig(signalling, media, p2p, cluster, List.copyOf(iceServers), List.copyOf(streams), whip, pull,
                metrics, http, admission(section(json, "admission")), threads);
    }

    private static Cluster cluster(JsonObject c) {
        JsonObject k = section(c, "cluster.kubernetes", "kubernetes");
        Cluster cluster = new Cluster(bool(c, "cluster.enabled", "enabled"), string(c, "cluster.configFile", "configFile"),
                string(c, "cluster.name", "name"), string(c, "cluster.host", "host"),
                intIn(c, "cluster.port", "port", 1, 65535), string(c, "cluster.members", "members"),
                oneOf(c, "cluster.discovery", "discovery", Discovery.class),
                new Kubernetes(string(k, "cluster.kubernetes.serviceDns", "serviceDns").trim(),
                        string(k, "cluster.kubernetes.namespace", "namespace").trim(),
                        string(k, "cluster.kubernetes.serviceName", "serviceName").trim()),
                eventBusTls(section(c, "cluster.eventBusTls", "eventBusTls")));
        if (cluster.discovery() == Discovery.KUBERNETES) {
            if (cluster.kubernetes().serviceDns().isEmpty() && cluster.kubernetes().serviceName().isEmpty()) {
                throw new IllegalArgumentException("cluster.discovery 'kubernetes' needs cluster.kubernetes.serviceDns "
                        + "(DNS lookup of a headless service) or cluster.kubernetes.serviceName (Kubernetes API)");
            }
            // The member binds and announces cluster.host alone: on loopback no other edge could ever reach it.
            if (loopback(cluster.host())) {
                throw new IllegalArgumentException("cluster.discovery 'kubernetes' needs cluster.host set to the pod's "
                        + "address (CLUSTER_HOST from the downward API's status.podIP), got '" + cluster.host() + "'");
            }
        }
        return cluster;
    }

    /** Whether {@code host} spells a loopback address (by its text: config, a leaf package, resolves no name). */
    private static boolean loopback(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.matches("127(\\.\\d{1,3}){3}") || h.matches("\\[?(0{0,4}:){2,7}0{0,3}1]?");
    }

    private static Admission admission(JsonObject a) {
        List<JwtKey> keys = new ArrayList<>();
        for (Object o : array(a, "admission.jwtKeys", "jwtKeys")) {
            if (!(o instanceof JsonObject key)) {
                throw new IllegalArgumentException("each of admission.jwtKeys must be an object {algorithm, secret} or "
                        + "{algorithm, publicKey}, got " + o);
            }
            String algorithm = key.getString("algorithm", "");
            String secret = key.getString("secret", "");
            String publicKey = key.getString("publicKey", "");
            if (algorithm.matches("HS(256|384|512)")) {
                // An HMAC secret shorter than its hash can be guessed offline from one token.
                if (secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
                    throw new IllegalArgumentException("admission.jwtKeys: an " + algorithm + " secret must have at least 32 bytes");
                }
            } else if (algorithm.matches("(RS|PS|ES)(256|384|512)")) {
                if (!publicKey.contains("BEGIN PUBLIC KEY")) {
                    throw new IllegalArgumentException("admission.jwtKeys: an " + algorithm + " key needs publicKey, a PEM public key");
                }
            } else {
                throw new IllegalArgumentException("admission.jwtKeys: algorithm must be HS256/384/512, RS256/384/512, "
                        + "PS256/384/512 or ES256/384/512, got '" + algorithm + "'");
            }
            keys.add(new JwtKey(algorithm, secret, publicKey));
        }
        Admission admission = new Admission(bool(a, "admission.enabled", "enabled"), List.copyOf(keys),
                intIn(a, "admission.leewaySeconds", "leewaySeconds", 0, 3600),
                oneOf(a, "admission.defaultP2p", "defaultP2p", P2pConsent.class));
        if (admission.enabled() && keys.isEmpty()) {
            throw new IllegalArgumentException("admission.enabled needs at least one key in admission.jwtKeys");
        }
        return admission;
    }

    private static Tls tls(JsonObject section, String name) {
        String path = name + ".tls";
        JsonObject t = section(section, path, "tls");
        Tls tls = new Tls(bool(t, path + ".enabled", "enabled"), string(t, path + ".certFile", "certFile").trim(),
                string(t, path + ".keyFile", "keyFile").trim(), bool(t, path + ".selfSigned", "selfSigned"));
        if (tls.enabled() && !tls.selfSigned() && (tls.certFile().isEmpty() || tls.keyFile().isEmpty())) {
            throw new IllegalArgumentException(path + ".enabled needs " + path + ".certFile and " + path
                    + ".keyFile (PEM), or " + path + ".selfSigned for a certificate the edge makes for local use");
        }
        if (tls.certFile().isEmpty() != tls.keyFile().isEmpty()) {
            throw new IllegalArgumentException(path + ".certFile and " + path + ".keyFile go together: set both or neither");
        }
        return tls;
    }

    private static EventBusTls eventBusTls(JsonObject t) {
        String path = "cluster.eventBusTls.";
        EventBusTls tls = new EventBusTls(bool(t, path + "enabled", "enabled"), string(t, path + "certFile", "certFile").trim(),
                string(t, path + "keyFile", "keyFile").trim(), string(t, path + "caFile", "caFile").trim());
        if (tls.enabled() && (tls.certFile().isEmpty() || tls.keyFile().isEmpty() || tls.caFile().isEmpty())) {
            throw new IllegalArgumentException("cluster.eventBusTls.enabled needs certFile, keyFile and caFile (PEM): each edge "
                    + "presents its certificate and accepts only those caFile vouches for");
        }
        return tls;
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

    /** The constant of {@code type} that {@code key} names in lower case ({@code TCP_IP} is spelled tcp-ip). */
    private static <E extends Enum<E>> E oneOf(JsonObject json, String path, String key, Class<E> type) {
        Object value = required(json, path, key, Object.class, "");
        E[] choices = type.getEnumConstants();
        for (E choice : choices) {
            if (spelling(choice).equals(value)) {
                return choice;
            }
        }
        throw new IllegalArgumentException("config key '" + path + "' must be one of " + Arrays.stream(choices)
                .map(c -> "'" + spelling(c) + "'").collect(Collectors.joining(", ")) + ", got '" + value + "'");
    }

    private static String spelling(Enum<?> choice) {
        return choice.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The value of a key that must be there, of {@code type} ({@code what} names it in the error). */
    private static <T> T required(JsonObject json, String path, String key, Class<T> type, String what) {
        Object value = json.getValue(key);
        if (value == null) {
            throw new IllegalArgumentException("config key '" + path + "' is missing");
        }
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException("config key '" + path + "' must be " + what);
        }
        return type.cast(value);
    }

    private static boolean bool(JsonObject json, String path, String key) {
        return required(json, path, key, Boolean.class, "true or false");
    }

    private static String string(JsonObject json, String path, String key) {
        return required(json, path, key, String.class, "a string");
    }

    private static JsonArray array(JsonObject json, String path, String key) {
        return required(json, path, key, JsonArray.class, "an array");
    }

    private static List<String> strings(JsonObject json, String path, String key) {
        return List.copyOf(array(json, path, key).stream().map(String::valueOf).toList());
    }

    private static List<String> nonEmpty(List<String> values, String path) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("config key '" + path + "' must name at least one");
        }
        return values;
    }

    private static JsonObject section(JsonObject json, String key) {
        return section(json, key, key);
    }

    private static JsonObject section(JsonObject json, String path, String key) {
        if (!(json.getValue(key) instanceof JsonObject section)) {
            throw new IllegalArgumentException("config section '" + path + "' is missing");
        }
        return section;
    }

    private static int intIn(JsonObject json, String path, String key, int min, int max) {
        Number n = required(json, path, key, Number.class, "a number");
        long v = n.longValue();
        if (v < min || v > max) {
            throw new IllegalArgumentException("config key '" + path + "' must be in [" + min + ", " + max + "], got " + v);
        }
        return (int) v;
    }

}
