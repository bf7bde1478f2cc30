package p2pedge.media.forwarding;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.AudioDeviceModule;
import dev.onvoid.webrtc.media.audio.AudioLayer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import p2pedge.config.EdgeConfig;
import p2pedge.media.LiveStream;
import p2pedge.media.MediaApi;
import p2pedge.media.StreamDirectory;
import p2pedge.p2p.P2pApi;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import p2pedge.media.demo.DemoStream;
import p2pedge.media.rtc.DtlsCertificate;
import p2pedge.media.rtc.MediaSession;
import p2pedge.media.rtc.PacketKind;
import p2pedge.media.rtc.RtcpFeedback;
import p2pedge.media.rtc.RtpForwarder;
import p2pedge.media.rtc.RtpRewriter;
import p2pedge.media.rtc.PeerSdp;
import p2pedge.media.rtc.EdgeSdp;
import p2pedge.media.rtc.SharedUdpPort;
import p2pedge.media.rtc.SrtpKeys;
import p2pedge.media.rtc.SrtpTransformer;
import p2pedge.media.rtc.VideoCodec;
import p2pedge.signalling.protocol.IceCandidate;
import p2pedge.signalling.protocol.SessionDescription;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The forwarding media plane behind the media verticle's event-bus contract ({@link MediaApi}): one shared UDP
 * port (ICE-lite, DTLS-SRTP), each stream encoded once and its RTP forwarded to every viewer. Signalling, P2P
 * and the cluster see no difference from the per-viewer webrtc-java plane.
 */
public final class ForwardingMediaVerticle extends VerticleBase {

    private static final Logger LOG = Logger.getLogger(ForwardingMediaVerticle.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One viewer on the forwarding plane. */
    private static final class Viewer {
        final long session;
        final ForwardedStream stream;
        final String ufrag = ForwardedStream.token(8);
        final String password = ForwardedStream.token(24);
        final int videoSsrc = RANDOM.nextInt();
        final int audioSsrc = RANDOM.nextInt();
        /** The payload types this viewer receives: the edge's own when the edge offered, the player's for WHEP. */
        int videoType;
        int audioType = ForwardedStream.OPUS;
        boolean secured;
        long connectTimer = -1;
        volatile SrtpTransformer fromViewer;

        Viewer(long session, ForwardedStream stream) {
            this.session = session;
            this.stream = stream;
            this.videoType = stream.codec.payloadType();
        }
    }

    private final EdgeConfig config;
    private final String edgeId;
    private final StreamDirectory directory;
    private final Map<String, Relay> relays = new HashMap<>();
    private final Map<String, Future<ForwardedStream>> pulling = new HashMap<>();
    /** Sessions the edge numbers itself (relay pulls, WHEP players): negative, never a signalling session's id. */
    private long nextInternalSession = -1;
    /** WHEP resources: id -> viewer session. */
    private final Map<String, Long> players = new HashMap<>();
    private BcTlsCrypto crypto;
    private final Map<String, MediaSession> sessions = new ConcurrentHashMap<>();
    private final Map<Long, Viewer> viewers = new HashMap<>();
    private final Map<String, ForwardedStream> streams = new LinkedHashMap<>();
    private final List<LiveStream> sources = new ArrayList<>();
    private final List<DemoPublisher> demoPublishers = new ArrayList<>();
    /** WHIP resources: id -> the stream its publisher feeds, and that publisher's watchdog timer. */
    private final Map<String, ForwardedStream> published = new HashMap<>();
    private final Map<String, Long> watchdogs = new HashMap<>();
    private final List<MessageConsumer<?>> consumers = new ArrayList<>();
    private AudioDeviceModule audioDevice;
    private PeerConnectionFactory factory;
    private SharedUdpPort port;
    private DtlsCertificate identity;
    private int udpPort;
    private List<String> candidateAddresses;

    public ForwardingMediaVerticle(EdgeConfig config, String edgeId, StreamDirectory directory) {
        this.config = config;
        this.edgeId = edgeId;
        this.directory = directory;
    }

    /** Relay requests to an edge's media plane (clustered event bus), addressed by edge id. */
    static final String RELAY_OFFER = "p2pedge.media.relay-offer.";
    static final String RELAY_ANSWER = "p2pedge.media.relay-answer.";
    static final String RELAY_CLOSE = "p2pedge.media.relay-close.";
    /** Published to every edge when a published stream ends on its origin. */
    static final String STREAM_ENDED = "p2pedge.media.stream-ended";

    /** A stream this edge pulls from its origin, for its own viewers. */
    private record Relay(String owner, long remoteSession, RelayPull pull, long watchdog) {
    }

    @Override
    public Future<?> start() {
        crypto = new BcTlsCrypto(new SecureRandom());
        identity = DtlsCertificate.generate(crypto);
        port = new SharedUdpPort(vertx, crypto, identity, ufrag -> Optional.ofNullable(sessions.get(ufrag)));
        port.simulateOutgoingRtpLoss(config.media().simulatedLossPercent() / 100.0);
        candidateAddresses = config.media().iceCandidateAddresses().isEmpty()
                ? localAddresses() : config.media().iceCandidateAddresses();
        audioDevice = new AudioDeviceModule(AudioLayer.kDummyAudio);
        factory = new PeerConnectionFactory(audioDevice);
        return port.listen("0.0.0.0", config.media().forwarderPort()).compose(bound -> {
            udpPort = bound;
            List<Future<Void>> started = new ArrayList<>();
            for (EdgeConfig.StreamSpec spec : config.streams()) {
                DemoStream demo = new DemoStream(factory, spec);
                sources.add(demo);
                ForwardedStream stream = new ForwardedStream(spec.name(), VideoCodec.of(spec.codec()), port, sessions, context);
                streams.put(spec.name(), stream);
                DemoPublisher publisher = new DemoPublisher(demo);
                demoPublishers.add(publisher);
                started.add(publisher.publish(factory, stream, identity.fingerprint(), udpPort, context));
            }
            var bus = vertx.eventBus();
            consumers.add(bus.localConsumer(MediaApi.OFFER, this::onOffer));
            consumers.add(bus.localConsumer(MediaApi.ANSWER, this::onAnswer));
            consumers.add(bus.<JsonObject>localConsumer(MediaApi.CANDIDATES, m -> m.reply(null))); // ICE-lite: checks suffice
            consumers.add(bus.localConsumer(MediaApi.CLOSE, this::onClose));
            consumers.add(bus.localConsumer(MediaApi.PUBLISH, this::onPublish));
            consumers.add(bus.<String>localConsumer(MediaApi.UNPUBLISH, this::onUnpublish));
            consumers.add(bus.localConsumer(MediaApi.PLAY, this::onPlay));
            consumers.add(bus.<String>localConsumer(MediaApi.STOP_PLAYING, this::onStopPlaying));
            consumers.add(bus.<String>localConsumer(MediaApi.STREAM_EXISTS, this::onStreamExists));
            consumers.add(bus.<JsonObject>consumer(RELAY_OFFER + edgeId, this::onRelayOffer));
            consumers.add(bus.<JsonObject>consumer(RELAY_ANSWER + edgeId, this::onRelayAnswer));
            consumers.add(bus.<Long>consumer(RELAY_CLOSE + edgeId, m -> release(m.body())));
            consumers.add(bus.<JsonObject>consumer(STREAM_ENDED, m -> endRelay(m.body().getString("stream"),
                    "it ended on its origin: " + m.body().getString("reason"))));
            consumers.add(bus.<String>localConsumer(P2pApi.EDGE_LEFT, m -> edgeLeft(m.body())));
            consumers.add(bus.localConsumer(MediaApi.CONNECTIONS, m -> m.reply(viewers.size())));
            consumers.add(bus.localConsumer(FORWARDING_STATS, m -> stats().onComplete(ar -> m.reply(ar.succeeded() ? ar.result() : null))));
            started.addAll(consumers.stream().map(MessageConsumer::completion).toList());
            return Future.all(started);
        }).onSuccess(v -> LOG.info(() -> "forwarding media plane on UDP " + udpPort + ", " + streams.size() + " stream(s)"));
    }

    @Override
    public Future<?> stop() {
        consumers.forEach(MessageConsumer::unregister);
        int open = viewers.size();
        new ArrayList<>(viewers.keySet()).forEach(this::release);
        watchdogs.values().forEach(vertx::cancelTimer);
        new ArrayList<>(relays.keySet()).forEach(name -> endRelay(name, "the edge is stopping"));
        published.forEach((resource, stream) -> directory.release(stream.name(), edgeId));
        streams.values().forEach(ForwardedStream::close);
        demoPublishers.forEach(DemoPublisher::close);
        sources.forEach(LiveStream::close);
        factory.dispose();
        audioDevice.dispose();
        return port.close().onComplete(ar -> LOG.info(() -> "media stopped, closed " + open + " viewer connection(s)"));
    }

    private void onOffer(Message<JsonObject> message) {
        long session = message.body().getLong("session");
        streamFor(message.body().getString("stream"))
                .compose(stream -> offerTo(session, stream))
                .onComplete(ar -> reply(message, ar));
    }

    private void onAnswer(Message<JsonObject> message) {
        reply(message, applyAnswer(message.body().getLong("session"), message.body().getJsonObject("sdp").getString("sdp")));
    }

    /** A viewer's offer: the stream's codec and Opus, sent from the shared port with this viewer's own SSRCs. */
    private Future<JsonObject> offerTo(long session, ForwardedStream stream) {
        release(session);
        if (viewers.size() >= config.media().maxViewers()) {
            return refused(503, "edge is at its viewer limit (" + config.media().maxViewers() + ")");
        }
        Viewer viewer = new Viewer(session, stream);
        viewers.put(session, viewer);
        List<String> addresses = candidateAddresses;
        String sdp = new EdgeSdp(viewer.ufrag, viewer.password, identity.fingerprint(), addresses.get(0), udpPort, List.of(
                new EdgeSdp.Media(EdgeSdp.Kind.VIDEO, "0", EdgeSdp.Direction.SENDONLY, List.of(stream.codec.sdp()),
                        viewer.videoSsrc & 0xFFFFFFFFL, stream.name().replace('/', '-')),
                new EdgeSdp.Media(EdgeSdp.Kind.AUDIO, "1", EdgeSdp.Direction.SENDONLY, List.of(EdgeSdp.Codec.opus()),
                        viewer.audioSsrc & 0xFFFFFFFFL, stream.name().replace('/', '-')))).write();
        List<IceCandidate> candidates = new ArrayList<>();
        for (String address : addresses) {
            candidates.add(new IceCandidate("candidate:" + (candidates.size() + 1) + " 1 udp 2130706431 " + address + " "
                    + udpPort + " typ host", 0, "0", null));
        }
        return Future.succeededFuture(new JsonObject()
                .put("sdp", new SessionDescription("offer", sdp).toJson())
                .put("candidates", IceCandidate.toJson(candidates)));
    }

    private Future<Void> applyAnswer(long session, String sdp) {
        Viewer viewer = viewers.get(session);
        if (viewer == null) {
            return refused(400, "no offer outstanding");
        }
        PeerSdp answer;
        try {
            answer = PeerSdp.parse(sdp);
        } catch (IllegalArgumentException e) {
            release(session);
            return refused(400, "answer rejected: " + e.getMessage());
        }
        int videoType = viewer.stream.codec.payloadType();
        boolean acceptsVideo = answer.media().stream().anyMatch(m -> m.kind().equals("video") && !m.rejected()
                && m.payloadTypes().contains(videoType));
        if (!acceptsVideo) {
            release(session);
            return refused(400, "answer rejected: the player does not accept " + viewer.stream.codec + " video (payload type "
                    + videoType + ")");
        }
        expectDtls(viewer, answer.fingerprint());
        return Future.succeededFuture();
    }

    /** The viewer's ICE checks and DTLS handshake are awaited on the shared port, within the connect timeout. */
    private void expectDtls(Viewer viewer, String fingerprint) {
        long session = viewer.session;
        sessions.put(viewer.ufrag, new MediaSession(viewer.ufrag, viewer.password, fingerprint,
                keys -> context.runOnContext(v -> secured(viewer, keys)),
                (kind, packet) -> fromViewer(viewer, kind, packet)));
        viewer.connectTimer = vertx.setTimer(config.media().connectTimeoutSeconds() * 1000L, t -> {
            if (viewers.get(session) == viewer && !viewer.secured) {
                release(session);
                vertx.eventBus().publish(MediaApi.CONNECTION_LOST, new JsonObject().put("session", session)
                        .put("reason", "media connection not established within " + config.media().connectTimeoutSeconds() + " s"));
            }
        });
    }

    /**
     * WHEP: a player that offers (receive-only) gets the edge's answer: the stream's codec and Opus in the payload
     * types the player chose, sent from the shared port. Such viewers are edge-served, outside P2P Delivery.
     */
    private void onPlay(Message<JsonObject> message) {
        PeerSdp offer;
        try {
            offer = PeerSdp.parseOffer(message.body().getString("sdp"));
        } catch (IllegalArgumentException e) {
            message.fail(400, "offer rejected: " + e.getMessage());
            return;
        }
        streamFor(message.body().getString("stream")).compose(stream -> answerPlayer(offer, stream)).onComplete(ar -> reply(message, ar));
    }

    private Future<JsonObject> answerPlayer(PeerSdp offer, ForwardedStream stream) {
        if (viewers.size() >= config.media().maxViewers()) {
            return refused(503, "edge is at its viewer limit (" + config.media().maxViewers() + ")");
        }
        Viewer viewer = new Viewer(nextInternalSession--, stream);
        viewer.videoType = -1;
        viewer.audioType = -1;
        List<EdgeSdp.Media> answer = new ArrayList<>();
        String codecName = stream.codec.sdp().name();
        for (PeerSdp.Media m : offer.media()) {
            boolean receives = m.direction().equals("recvonly") || m.direction().equals("sendrecv");
            String encoding = m.kind().equals("video") ? codecName : "opus";
            java.util.Optional<Integer> type = m.payloadTypeOf(encoding);
            boolean video = m.kind().equals("video");
            if (!receives || type.isEmpty() || !(video ? viewer.videoType < 0 : m.kind().equals("audio") && viewer.audioType < 0)) {
                return refused(400, "offer rejected: cannot send the " + m.kind() + " section (mid " + m.mid() + "): offer to "
                        + "receive one " + codecName + " video and at most one Opus audio section");
            }
            if (video) {
                viewer.videoType = type.get();
            } else {
                viewer.audioType = type.get();
            }
            answer.add(new EdgeSdp.Media(video ? EdgeSdp.Kind.VIDEO : EdgeSdp.Kind.AUDIO, m.mid(), EdgeSdp.Direction.SENDONLY,
                    List.of(video ? new EdgeSdp.Codec(type.get(), codecName, 90_000, null, m.fmtp().get(type.get()))
                            : new EdgeSdp.Codec(type.get(), "opus", 48_000, 2, m.fmtp().get(type.get()))),
                    (video ? viewer.videoSsrc : viewer.audioSsrc) & 0xFFFFFFFFL, stream.name().replace('/', '-')));
        }
        if (viewer.videoType < 0) {
            return refused(400, "offer rejected: it does not receive video");
        }
        viewers.put(viewer.session, viewer);
        expectDtls(viewer, offer.fingerprint());
        String resource = ForwardedStream.token(16);
        players.put(resource, viewer.session);
        return Future.succeededFuture(new JsonObject().put("resource", resource).put("sdp",
                new EdgeSdp(viewer.ufrag, viewer.password, identity.fingerprint(), candidateAddresses.get(0), udpPort, answer)
                        .writeAnswer()));
    }

    private void onStopPlaying(Message<String> message) {
        Long session = players.remove(message.body());
        if (session == null) {
            message.fail(404, "no such WHEP resource");
            return;
        }
        release(session);
        message.reply(null);
    }

    private static <T> Future<T> refused(int code, String reason) {
        return Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code, reason));
    }

    private static void reply(Message<?> message, io.vertx.core.AsyncResult<?> result) {
        if (result.succeeded()) {
            message.reply(result.result());
        } else if (result.cause() instanceof ReplyException e && e.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
            message.fail(e.failureCode(), e.getMessage());
        } else {
            message.fail(502, result.cause().getMessage());
        }
    }

    private void onStreamExists(Message<String> message) {
        if (streams.containsKey(message.body())) {
            message.reply(true);
            return;
        }
        directory.owner(message.body()).onComplete(ar -> message.reply(ar.succeeded() && ar.result().isPresent()));
    }

    /** This edge's stream of that name, or one pulled from the edge it is published on (one pull per stream). */
    private Future<ForwardedStream> streamFor(String name) {
        ForwardedStream local = streams.get(name);
        if (local != null) {
            return Future.succeededFuture(local);
        }
        Future<ForwardedStream> inProgress = pulling.get(name);
        if (inProgress != null) {
            return inProgress;
        }
        io.vertx.core.Promise<ForwardedStream> pull = io.vertx.core.Promise.promise();
        pulling.put(name, pull.future());
        directory.owner(name).compose(owner -> owner.isEmpty() || owner.get().equals(edgeId)
                        ? ForwardingMediaVerticle.<ForwardedStream>refused(404, "stream not found")
                        : pull(name, owner.get()))
                .onComplete(ar -> {
                    pulling.remove(name);
                    pull.handle(ar);
                });
        return pull.future();
    }

    /** Pulls {@code name} from its origin: this edge becomes one viewer there and forwards to its own viewers. */
    private Future<ForwardedStream> pull(String name, String owner) {
        var bus = vertx.eventBus();
        var options = new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(10_000);
        return bus.<JsonObject>request(RELAY_OFFER + owner, new JsonObject().put("stream", name), options).compose(reply -> {
            JsonObject offer = reply.body();
            long remoteSession = offer.getLong("session");
            ForwardedStream stream = new ForwardedStream(name, VideoCodec.of(offer.getString("codec")), port, sessions, context);
            RelayPull relay = new RelayPull(vertx, context, crypto, identity, stream);
            List<String> candidates = offer.getJsonArray("candidates").stream().map(String::valueOf).toList();
            return relay.start(offer.getString("sdp"), candidates, answer -> bus.request(RELAY_ANSWER + owner,
                            new JsonObject().put("session", remoteSession).put("sdp", answer), options).mapEmpty())
                    .map(v -> {
                        streams.put(name, stream);
                        relays.put(name, new Relay(owner, remoteSession, relay, watchdog(stream,
                                () -> endRelay(name, "its origin went silent"))));
                        LOG.info(() -> "stream " + name + ": relayed from edge " + owner);
                        return stream;
                    })
                    .onFailure(t -> {
                        relay.close();
                        stream.close();
                        bus.send(RELAY_CLOSE + owner, remoteSession);
                        LOG.warning("relay of " + name + " from edge " + owner + " failed: " + t.getMessage());
                    });
        });
    }

    /** Another edge pulls one of this edge's published streams: it is offered the stream like a viewer. */
    private void onRelayOffer(Message<JsonObject> message) {
        String name = message.body().getString("stream");
        ForwardedStream stream = streams.get(name);
        if (stream == null || resourceOf(stream) == null) {
            message.fail(404, "stream " + name + " is not published on this edge");
            return;
        }
        long session = nextInternalSession--;
        offerTo(session, stream).map(offer -> new JsonObject()
                        .put("session", session)
                        .put("codec", stream.codec.name().toLowerCase(java.util.Locale.ROOT))
                        .put("sdp", offer.getJsonObject("sdp").getString("sdp"))
                        .put("candidates", new io.vertx.core.json.JsonArray(offer.getJsonArray("candidates").stream()
                                .map(c -> ((JsonObject) c).getString("candidate")).toList())))
                .onComplete(ar -> reply(message, ar));
    }

    private void onRelayAnswer(Message<JsonObject> message) {
        reply(message, applyAnswer(message.body().getLong("session"), message.body().getString("sdp")));
    }

    /** A relayed stream ends here: its viewers are told, the pull stops, the origin forgets this edge. */
    private void endRelay(String name, String reason) {
        Relay relay = relays.remove(name);
        if (relay == null) {
            return;
        }
        vertx.cancelTimer(relay.watchdog());
        ForwardedStream stream = streams.remove(name);
        relay.pull().close();
        if (stream != null) {
            closeStream(stream, reason);
        }
        vertx.eventBus().send(RELAY_CLOSE + relay.owner(), relay.remoteSession());
    }

    private void edgeLeft(String deadEdge) {
        directory.purgeEdge(deadEdge);
        relays.entrySet().stream().filter(e -> e.getValue().owner().equals(deadEdge)).map(Map.Entry::getKey).toList()
                .forEach(name -> endRelay(name, "its origin edge left the cluster"));
    }

    private void secured(Viewer viewer, SrtpKeys keys) {
        if (viewers.get(viewer.session) != viewer) {
            return;
        }
        viewer.secured = true;
        vertx.cancelTimer(viewer.connectTimer);
        viewer.fromViewer = SrtpTransformer.forReceiving(keys);
        var address = port.addressOf(viewer.ufrag).orElseThrow();
        String id = Long.toString(viewer.session);
        if (viewer.audioType >= 0) {
            viewer.stream.audio.add(id, new RtpForwarder.Viewer(address, new RtpRewriter(viewer.audioSsrc, viewer.audioType),
                    SrtpTransformer.forSending(keys)));
        }
        viewer.stream.video.add(id, new RtpForwarder.Viewer(address, new RtpRewriter(viewer.videoSsrc, viewer.videoType),
                SrtpTransformer.forSending(keys)));
        vertx.eventBus().publish(MediaApi.CONNECTED, viewer.session);
    }

    /** RTCP from a viewer: PLI/FIR become one collapsed keyframe request; NACKs are answered from the cache. */
    private void fromViewer(Viewer viewer, PacketKind kind, byte[] packet) {
        SrtpTransformer in = viewer.fromViewer;
        if (in == null) {
            port.countDropped("media: before DTLS");
            return;
        }
        if (kind != PacketKind.RTCP) {
            port.countDropped("rtp: from a receive-only viewer");
            return;
        }
        Optional<byte[]> plain = in.unprotectRtcp(packet);
        if (plain.isEmpty()) {
            port.countDropped("srtcp: refused");
        }
        plain.map(RtcpFeedback::parse).ifPresent(feedback -> {
            if (feedback.keyframe()) {
                viewer.stream.requestKeyframe();
            }
            if (feedback.lostSequences().length > 0) {
                viewer.stream.video.onNack(Long.toString(viewer.session), feedback.lostSequences());
            }
        });
    }

    /** Without configured addresses, the port (bound to every interface) is announced at each IPv4 address of the host. */
    private static List<String> localAddresses() {
        List<String> out = new ArrayList<>();
        try {
            for (java.net.NetworkInterface nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp()) {
                    continue;
                }
                for (java.net.InetAddress address : java.util.Collections.list(nic.getInetAddresses())) {
                    if (address instanceof java.net.Inet4Address) {
                        out.add(address.getHostAddress());
                    }
                }
            }
        } catch (java.net.SocketException e) {
            LOG.warning("cannot list network interfaces: " + e.getMessage());
        }
        // Loopback last: players on other hosts try the real addresses first.
        out.sort(java.util.Comparator.comparing((String a) -> a.startsWith("127.")));
        return out.isEmpty() ? List.of("127.0.0.1") : List.copyOf(out);
    }

    /** Counters of the forwarding plane (tests, and later the metrics). */
    public static final String FORWARDING_STATS = "p2pedge.media.forwarding-stats";

    private Future<JsonObject> stats() {
        long forwarded = 0;
        long retransmitted = 0;
        for (ForwardedStream stream : streams.values()) {
            forwarded += stream.video.forwarded() + stream.audio.forwarded();
            retransmitted += stream.video.retransmitted();
        }
        JsonObject dropped = new JsonObject();
        port.dropped().forEach(dropped::put);
        JsonObject stats = new JsonObject().put("viewers", viewers.size()).put("sessions", sessions.size())
                .put("forwarded", forwarded).put("retransmitted", retransmitted)
                .put("keyframeRequests", streams.values().stream().mapToLong(ForwardedStream::keyframeRequests).sum())
                .put("senderReports", streams.values().stream().mapToLong(ForwardedStream::senderReports).sum())
                .put("receiverReports", streams.values().stream().mapToLong(ForwardedStream::receiverReports).sum())
                .put("dropped", dropped);
        // The first demo publisher speaks for the plane's RTCP health (the RTT it derives from our reports).
        return demoPublishers.stream().findFirst()
                .map(publisher -> publisher.roundTripMillis().map(rtt -> rtt.map(ms -> stats.put("publisherRttMillis", ms)).orElse(stats)))
                .orElse(Future.succeededFuture(stats));
    }

    /** A WHIP publisher's offer: a new stream of that name, fed by it. */
    private void onPublish(Message<JsonObject> message) {
        String name = message.body().getString("stream");
        PeerSdp offer;
        try {
            offer = PeerSdp.parseOffer(message.body().getString("sdp"));
        } catch (IllegalArgumentException e) {
            message.fail(400, "offer rejected: " + e.getMessage());
            return;
        }
        ForwardedStream live = streams.get(name);
        boolean replacing = false;
        if (live != null) {
            String resource = resourceOf(live);
            if (resource == null || !config.whip().replace()) {
                message.fail(409, "stream " + name + " is already live");
                return;
            }
            endStream(resource, "replaced by a new publisher", false);
            replacing = true;
        }
        // The name is claimed cluster-wide first: a second publisher on any edge gets a 409.
        (replacing ? Future.succeededFuture(true) : directory.claim(name, edgeId)).onComplete(claimed -> {
            if (claimed.failed() || !claimed.result()) {
                message.fail(409, "stream " + name + " is already live on another edge");
                return;
            }
            accept(name, offer, message);
        });
    }

    private void accept(String name, PeerSdp offer, Message<JsonObject> message) {
        // Forward what the publisher encoded: VP8 if it offers it, else H.264.
        VideoCodec codec = offer.media().stream().anyMatch(m -> m.kind().equals("video") && m.payloadTypeOf("VP8").isPresent())
                ? VideoCodec.VP8 : VideoCodec.H264;
        ForwardedStream stream = new ForwardedStream(name, codec, port, sessions, context);
        String answer;
        try {
            answer = stream.acceptPublisher(offer, identity.fingerprint(), candidateAddresses.get(0), udpPort, null);
        } catch (IllegalArgumentException e) {
            stream.close();
            directory.release(name, edgeId);
            message.fail(400, "offer rejected: " + e.getMessage());
            return;
        }
        String resource = ForwardedStream.token(16);
        streams.put(name, stream);
        published.put(resource, stream);
        watchdogs.put(resource, watchdog(stream, () -> endStream(resource,
                stream.secured().succeeded() ? "the publisher went silent" : "the publisher did not connect", true)));
        LOG.info(() -> "stream " + name + ": WHIP publisher accepted (" + codec + "), resource " + resource);
        message.reply(new JsonObject().put("sdp", answer).put("resource", resource));
    }

    /** Calls {@code onStale} once the stream has had no media for whip.publisherTimeoutSeconds (or never had any). */
    private long watchdog(ForwardedStream stream, Runnable onStale) {
        long started = System.nanoTime();
        long timeout = config.whip().publisherTimeoutSeconds() * 1_000_000_000L;
        return vertx.setPeriodic(1_000, t -> {
            if (System.nanoTime() - Math.max(started, stream.lastPacketNanos()) > timeout) {
                onStale.run();
            }
        });
    }

    private void onUnpublish(Message<String> message) {
        if (!published.containsKey(message.body())) {
            message.fail(404, "no such WHIP resource");
            return;
        }
        endStream(message.body(), "the publisher ended it", true);
        message.reply(null);
    }

    private String resourceOf(ForwardedStream stream) {
        return published.entrySet().stream().filter(e -> e.getValue() == stream).map(Map.Entry::getKey).findFirst().orElse(null);
    }

    /**
     * A published stream ends: its viewers here are told (an error, not a frozen picture), every other edge ends
     * its relayed copy, and (unless a new publisher takes over the name) the name is free again.
     */
    private void endStream(String resource, String reason, boolean releaseName) {
        ForwardedStream stream = published.remove(resource);
        if (stream == null) {
            return;
        }
        vertx.cancelTimer(watchdogs.remove(resource));
        streams.remove(stream.name(), stream);
        closeStream(stream, reason);
        vertx.eventBus().publish(STREAM_ENDED, new JsonObject().put("stream", stream.name()).put("reason", reason));
        if (releaseName) {
            directory.release(stream.name(), edgeId);
        }
    }

    private void closeStream(ForwardedStream stream, String reason) {
        List<Long> watching = viewers.values().stream().filter(v -> v.stream == stream).map(v -> v.session).toList();
        for (long session : watching) {
            release(session);
            vertx.eventBus().publish(MediaApi.CONNECTION_LOST, new JsonObject().put("session", session)
                    .put("reason", "stream " + stream.name() + " ended: " + reason));
        }
        stream.close();
        LOG.info(() -> "stream " + stream.name() + " ended (" + reason + "), " + watching.size() + " viewer(s) told");
    }

    private void onClose(Message<JsonObject> message) {
        release(message.body().getLong("session"));
        message.reply(null);
    }

    private void release(long session) {
        Viewer viewer = viewers.remove(session);
        if (viewer == null) {
            return;
        }
        vertx.cancelTimer(viewer.connectTimer);
        if (session < 0) {
            players.values().remove(session);
        }
        String id = Long.toString(session);
        viewer.stream.video.remove(id);
        viewer.stream.audio.remove(id);
        sessions.remove(viewer.ufrag);
        port.forget(viewer.ufrag);
        if (viewer.fromViewer != null) {
            viewer.fromViewer.close();
        }
    }
}
