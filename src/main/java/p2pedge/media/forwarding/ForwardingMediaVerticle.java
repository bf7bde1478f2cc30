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
        boolean secured;
        long connectTimer = -1;
        volatile SrtpTransformer fromViewer;

        Viewer(long session, ForwardedStream stream) {
            this.session = session;
            this.stream = stream;
        }
    }

    private final EdgeConfig config;
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

    public ForwardingMediaVerticle(EdgeConfig config) {
        this.config = config;
    }

    @Override
    public Future<?> start() {
        BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
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
            consumers.add(bus.<String>localConsumer(MediaApi.STREAM_EXISTS, m -> m.reply(streams.containsKey(m.body()))));
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
        streams.values().forEach(ForwardedStream::close);
        demoPublishers.forEach(DemoPublisher::close);
        sources.forEach(LiveStream::close);
        factory.dispose();
        audioDevice.dispose();
        return port.close().onComplete(ar -> LOG.info(() -> "media stopped, closed " + open + " viewer connection(s)"));
    }

    private void onOffer(Message<JsonObject> message) {
        long session = message.body().getLong("session");
        ForwardedStream stream = streams.get(message.body().getString("stream"));
        if (stream == null) {
            message.fail(404, "stream not found");
            return;
        }
        release(session);
        if (viewers.size() >= config.media().maxViewers()) {
            message.fail(503, "edge is at its viewer limit (" + config.media().maxViewers() + ")");
            return;
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
        message.reply(new JsonObject()
                .put("sdp", new SessionDescription("offer", sdp).toJson())
                .put("candidates", IceCandidate.toJson(candidates)));
    }

    private void onAnswer(Message<JsonObject> message) {
        long session = message.body().getLong("session");
        Viewer viewer = viewers.get(session);
        if (viewer == null) {
            message.fail(400, "no offer outstanding");
            return;
        }
        PeerSdp answer;
        try {
            answer = PeerSdp.parse(message.body().getJsonObject("sdp").getString("sdp"));
        } catch (IllegalArgumentException e) {
            release(session);
            message.fail(400, "answer rejected: " + e.getMessage());
            return;
        }
        int videoType = viewer.stream.codec.payloadType();
        boolean acceptsVideo = answer.media().stream().anyMatch(m -> m.kind().equals("video") && !m.rejected()
                && m.payloadTypes().contains(videoType));
        if (!acceptsVideo) {
            release(session);
            message.fail(400, "answer rejected: the player does not accept " + viewer.stream.codec + " video (payload type "
                    + videoType + ")");
            return;
        }
        sessions.put(viewer.ufrag, new MediaSession(viewer.ufrag, viewer.password, answer.fingerprint(),
                keys -> context.runOnContext(v -> secured(viewer, keys)),
                (kind, packet) -> fromViewer(viewer, kind, packet)));
        viewer.connectTimer = vertx.setTimer(config.media().connectTimeoutSeconds() * 1000L, t -> {
            if (viewers.get(session) == viewer && !viewer.secured) {
                release(session);
                vertx.eventBus().publish(MediaApi.CONNECTION_LOST, new JsonObject().put("session", session)
                        .put("reason", "media connection not established within " + config.media().connectTimeoutSeconds() + " s"));
            }
        });
        message.reply(null);
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
        viewer.stream.audio.add(id, new RtpForwarder.Viewer(address, new RtpRewriter(viewer.audioSsrc, ForwardedStream.OPUS), SrtpTransformer.forSending(keys)));
        viewer.stream.video.add(id, new RtpForwarder.Viewer(address, new RtpRewriter(viewer.videoSsrc, viewer.stream.codec.payloadType()), SrtpTransformer.forSending(keys)));
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
        if (live != null) {
            String resource = resourceOf(live);
            if (resource == null || !config.whip().replace()) {
                message.fail(409, "stream " + name + " is already live");
                return;
            }
            endStream(resource, "replaced by a new publisher");
        }
        // Forward what the publisher encoded: VP8 if it offers it, else H.264.
        VideoCodec codec = offer.media().stream().anyMatch(m -> m.kind().equals("video") && m.payloadTypeOf("VP8").isPresent())
                ? VideoCodec.VP8 : VideoCodec.H264;
        ForwardedStream stream = new ForwardedStream(name, codec, port, sessions, context);
        String answer;
        try {
            answer = stream.acceptPublisher(offer, identity.fingerprint(), candidateAddresses.get(0), udpPort, null);
        } catch (IllegalArgumentException e) {
            stream.close();
            message.fail(400, "offer rejected: " + e.getMessage());
            return;
        }
        String resource = ForwardedStream.token(16);
        streams.put(name, stream);
        published.put(resource, stream);
        long started = System.nanoTime();
        long timeout = config.whip().publisherTimeoutSeconds() * 1_000_000_000L;
        watchdogs.put(resource, vertx.setPeriodic(1_000, t -> {
            long last = Math.max(started, stream.lastPacketNanos());
            if (System.nanoTime() - last > timeout) {
                endStream(resource, stream.secured().succeeded() ? "the publisher went silent" : "the publisher did not connect");
            }
        }));
        LOG.info(() -> "stream " + name + ": WHIP publisher accepted (" + codec + "), resource " + resource);
        message.reply(new JsonObject().put("sdp", answer).put("resource", resource));
    }

    private void onUnpublish(Message<String> message) {
        if (!published.containsKey(message.body())) {
            message.fail(404, "no such WHIP resource");
            return;
        }
        endStream(message.body(), "the publisher ended it");
        message.reply(null);
    }

    private String resourceOf(ForwardedStream stream) {
        return published.entrySet().stream().filter(e -> e.getValue() == stream).map(Map.Entry::getKey).findFirst().orElse(null);
    }

    /** A published stream ends: its viewers are told (an error, not a frozen picture) and released. */
    private void endStream(String resource, String reason) {
        ForwardedStream stream = published.remove(resource);
        if (stream == null) {
            return;
        }
        vertx.cancelTimer(watchdogs.remove(resource));
        streams.remove(stream.name(), stream);
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
