package p2pedge.media.forwarding;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.AudioDeviceModule;
import dev.onvoid.webrtc.media.audio.AudioLayer;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import p2pedge.cluster.events.ClusterEvents;
import p2pedge.config.EdgeConfig;
import p2pedge.media.EgressRate;
import p2pedge.media.FeedbackCounters;
import p2pedge.media.MediaApi;
import p2pedge.media.LayerCounters;
import p2pedge.media.MediaSnapshot;
import p2pedge.media.SourceRecovery;
import p2pedge.media.StreamDirectory;
import p2pedge.media.demo.DemoStream;
import p2pedge.media.demo.LiveStream;
import p2pedge.media.rtc.DtlsCertificate;
import p2pedge.media.rtc.DtlsCrypto;
import p2pedge.media.rtc.FanoutWorkers;
import p2pedge.media.rtc.SrtpProfile;
import p2pedge.media.rtc.FeedbackLimits;
import p2pedge.media.rtc.FeedbackStats;
import p2pedge.media.rtc.IceTcpListener;
import p2pedge.media.rtc.PeerSdp;
import p2pedge.media.rtc.SharedUdpPort;
import p2pedge.media.rtc.SourceNacks;
import p2pedge.media.rtc.VideoCodec;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The forwarding media plane behind the media verticle's event-bus contract ({@link MediaApi}): one shared UDP
 * port (ICE-lite, DTLS-SRTP), each stream encoded once and its RTP forwarded to every viewer. Signalling, P2P
 * and the cluster see no difference from the per-viewer webrtc-java plane. This class wires the parts and
 * owns the streams: configured demo streams, WHIP-published ones ({@link Publishers}) and pulled copies of streams
 * published on other edges ({@link Pulls}); {@link Viewers} owns the viewers. Everything runs on this
 * verticle's context (the package's threading rule, in its package-info).
 */
public final class ForwardingMediaVerticle extends VerticleBase {

    private static final Logger LOG = Logger.getLogger(ForwardingMediaVerticle.class.getName());

    private final EdgeConfig.Media media;
    private final EdgeConfig.Whip whip;
    private final EdgeConfig.Pull pull;
    private final List<EdgeConfig.StreamSpec> configuredStreams;
    private final String edgeId;
    private final StreamDirectory directory;
    private final List<MessageConsumer<?>> consumers = new ArrayList<>();
    private final Map<String, ForwardedStream> streams = new LinkedHashMap<>();
    private final List<LiveStream> sources = new ArrayList<>();
    private final List<DemoPublication> demoPublishers = new ArrayList<>();
    /** WHEP resources: id -> viewer session and the stream it plays. */
    private final Map<String, WhepPlayer> players = new HashMap<>();

    private record WhepPlayer(long session, String stream) {
    }
    private final EgressRate egress = new EgressRate();
    /** Viewers' NACKs and keyframe requests, counted for the whole plane (streams come and go, the counts stay). */
    private final FeedbackStats feedbackStats = new FeedbackStats();
    private final ForwardDelayHistogram forwardDelays = new ForwardDelayHistogram();
    private ForwardedStream.Shared shared;
    private FanoutWorkers fanoutWorkers;
    private long egressTimer = -1;
    private long layerTimer = -1;
    private long tickTimer = -1;
    /** Demo streams asked for a keyframe at a fixed interval, as a broadcast encoder sends them. */
    private final List<Long> keyframeTimers = new ArrayList<>();
    /** Paced media and probes' padding go out this often, evenly. */
    private static final long TICK_INTERVAL_MS = 10;
    private static final long LAYER_INTERVAL_MS = 100;
    private Viewers viewers;
    private Pulls pulls;
    private Publishers publishers;
    private PlayerStunService stun;
    private BcTlsCrypto crypto;
    private DtlsCertificate identity;
    private AudioDeviceModule audioDevice;
    private PeerConnectionFactory factory;
    private SharedUdpPort port;
    private int udpPort;
    private List<String> candidateAddresses;

    /** Takes the sections it answers for: media (its forwarder part), WHIP, pulls, and the configured streams. */
    public ForwardingMediaVerticle(EdgeConfig config, String edgeId, StreamDirectory directory) {
        this.media = config.media();
        this.whip = config.whip();
        this.pull = config.pull();
        this.configuredStreams = config.streams();
        this.edgeId = edgeId;
        this.directory = directory;
    }

    @Override
    public Future<?> start() {
        crypto = new DtlsCrypto(new SecureRandom());
        identity = DtlsCertificate.generate(crypto);
        EdgeConfig.Forwarder forwarder = media.forwarder();
        port = new SharedUdpPort(vertx, crypto, identity, new SharedUdpPort.Limits(forwarder.dtlsHandshakeThreads(),
                forwarder.dtlsHandshakeQueue(), forwarder.dtlsStallMillis()), System::nanoTime);
        port.srtpProfiles(forwarder.srtpProfiles().stream().map(name -> SrtpProfile.named("media.forwarder.srtpProfiles", name)).toList());
        port.simulateOutgoingRtpLoss(forwarder.simulatedLossPercent() / 100.0);
        port.simulateIncomingRtpLoss(forwarder.simulatedSourceLossPercent() / 100.0);
        // Each helper's slice of a fan-out sends its datagrams together, as the forwarding thread's do.
        fanoutWorkers = forwarder.fanoutThreads() > 1
                ? new FanoutWorkers(forwarder.fanoutThreads(), port::batched)
                : null;
        shared = new ForwardedStream.Shared(new FeedbackLimits(forwarder.retransmitBudgetPercent(),
                FeedbackLimits.WINDOW_FLOOR_MILLIS, forwarder.viewerKeyframeIntervalSeconds() * 1000L), feedbackStats,
                fanoutWorkers, forwardDelays);
        candidateAddresses = media.iceCandidateAddresses().isEmpty() ? localAddresses() : media.iceCandidateAddresses();
        audioDevice = new AudioDeviceModule(AudioLayer.kDummyAudio);
        factory = new PeerConnectionFactory(audioDevice);
        return port.listen("0.0.0.0", forwarder.port(), forwarder.receiveTickMillis()).compose(bound -> {
            udpPort = bound;
            EdgeConfig.Tcp tcp = forwarder.tcp();
            if (!tcp.enabled()) {
                return Future.succeededFuture(0);
            }
            // The same number as the UDP port (any free one when that is configured as 0).
            return port.listenTcp("0.0.0.0", forwarder.port(), new IceTcpListener.Limits(tcp.maxConnections(),
                    tcp.connectionsPerAddress(), tcp.checkSeconds(), forwarder.consentTimeoutSeconds()));
        }).compose(tcpPort -> {
            viewers = new Viewers(context, media, port, identity, candidateAddresses, udpPort, tcpPort, session -> {
                players.values().removeIf(player -> player.session() == session);
                pulls.released(session);
            });
            publishers = new Publishers(vertx, whip, edgeId, directory, streams, viewers,
                    (name, codec) -> new ForwardedStream(name, codec, port, context, shared),
                    new Publishers.Endpoint(identity.fingerprint(), candidateAddresses.get(0), udpPort));
            pulls = new Pulls(context, edgeId, directory, crypto, identity, port, viewers, streams, publishers::feeds,
                    whip.publisherTimeoutSeconds(), pull.idleSeconds(), shared);
            stun = new PlayerStunService(vertx, forwarder.stun());
            List<Future<Void>> started = new ArrayList<>();
            started.add(stun.start(port, candidateAddresses.get(0), udpPort));
            for (EdgeConfig.StreamSpec spec : configuredStreams) {
                DemoStream demo = new DemoStream(factory, spec);
                sources.add(demo);
                ForwardedStream stream = new ForwardedStream(spec.name(), codec(spec.codec()), port, context, shared);
                stream.announce(spec.bitrateKbps());
                streams.put(spec.name(), stream);
                DemoPublication publication = new DemoPublication(demo, factory, stream, identity.fingerprint(), udpPort, context);
                demoPublishers.add(publication);
                if (spec.keyframeIntervalSeconds() > 0) {
                    keyframeTimers.add(vertx.setPeriodic(spec.keyframeIntervalSeconds() * 1_000L, t -> stream.requestKeyframe()));
                }
                started.add(publication.start());
            }
            var bus = vertx.eventBus();
            consumers.add(bus.localConsumer(MediaApi.OFFER, this::onOffer));
            consumers.add(bus.localConsumer(MediaApi.ANSWER, this::onAnswer));
            consumers.add(bus.<JsonObject>localConsumer(MediaApi.CANDIDATES, m -> m.reply(null))); // ICE-lite: checks suffice
            consumers.add(bus.localConsumer(MediaApi.CLOSE, this::onClose));
            consumers.addAll(publishers.listen());
            consumers.add(bus.localConsumer(MediaApi.PLAY, this::onPlay));
            consumers.add(bus.<JsonObject>localConsumer(MediaApi.STOP_PLAYING, this::onStopPlaying));
            consumers.add(bus.<String>localConsumer(MediaApi.STREAM_EXISTS, this::onStreamExists));
            consumers.addAll(pulls.listen());
            consumers.addAll(stun.listen());
            consumers.add(bus.<String>localConsumer(ClusterEvents.EDGE_LEFT, m -> {
                directory.purgeEdge(m.body());
                pulls.edgeLeft(m.body());
            }));
            consumers.add(bus.localConsumer(MediaApi.CONNECTIONS, m -> m.reply(viewers.size())));
            consumers.add(bus.localConsumer(MediaApi.VIEWER_LEGS, m -> {
                JsonObject legs = new JsonObject();
                viewers.legs().forEach((session, leg) -> legs.put(Long.toString(session), leg.toJson()));
                m.reply(legs);
            }));
            consumers.add(bus.localConsumer(MediaApi.SNAPSHOT, m -> m.reply(new MediaSnapshot(
                    viewers.size(), streams.size(), pulls.count(), port.sentBytes(), egress.bitsPerSecond(),
                    FeedbackCounters.of(feedbackStats), port.dropped(), port.tcpConnections(), layerCounters(), sourceRecovery(),
                    forwardDelays.snapshot())
                    .toJson())));
            consumers.add(bus.localConsumer(MediaApi.STREAMS, m -> m.reply(streamList())));
            egressTimer = vertx.setPeriodic(EgressRate.INTERVAL_MS, t -> egress.sample(port.sentBytes()));
            if (media.forwarder().congestionFeedback() == EdgeConfig.CongestionFeedback.TWCC) {
                // Feedback comes every 50-100 ms: layers follow it at that pace.
                layerTimer = vertx.setPeriodic(LAYER_INTERVAL_MS, t -> viewers.adaptLayers());
                // The pacers' queues drained: their datagrams go together.
                tickTimer = vertx.setPeriodic(TICK_INTERVAL_MS, t -> streams.values().forEach(stream -> port.batched(stream.video::tick)));
            }
            consumers.add(bus.localConsumer(FORWARDING_STATS, m -> stats().onComplete(ar -> m.reply(ar.succeeded() ? ar.result() : null))));
            consumers.add(bus.localConsumer(SELECT_LAYER, this::onSelectLayer));
            consumers.add(bus.<String>localConsumer(LOSE_PUBLISHER_SESSION, m -> {
                ForwardedStream stream = streams.get(m.body());
                if (stream != null) {
                    stream.publisher().ifPresent(PublisherSession::forgetSession);
                }
                m.reply(stream != null);
            }));
            started.addAll(consumers.stream().map(MessageConsumer::completion).toList());
            return Future.all(started);
        }).onSuccess(v -> LOG.info(() -> "forwarding media plane on UDP " + udpPort + (forwarder.tcp().enabled() ? " (and ICE-TCP)" : "") + ", " + streams.size() + " stream(s), SRTP "
                + String.join(" > ", forwarder.srtpProfiles())));
    }

    @Override
    public Future<?> stop() {
        consumers.forEach(MessageConsumer::unregister);
        vertx.cancelTimer(egressTimer);
        vertx.cancelTimer(layerTimer);
        vertx.cancelTimer(tickTimer);
        keyframeTimers.forEach(vertx::cancelTimer);
        int open = viewers.releaseAll();
        publishers.stop();
        pulls.closeAll();
        streams.values().forEach(ForwardedStream::close);
        if (fanoutWorkers != null) {
            fanoutWorkers.close(); // after the streams: no fan-out runs any more
        }
        demoPublishers.forEach(DemoPublication::close);
        sources.forEach(LiveStream::close);
        factory.dispose();
        audioDevice.dispose();
        return port.close().onComplete(ar -> LOG.info(() -> "media stopped, closed " + open + " viewer connection(s)"));
    }

    private void onOffer(Message<JsonObject> message) {
        long session = message.body().getLong("session");
        streamFor(message.body().getString("stream"))
                .compose(stream -> viewers.offerTo(session, stream))
                .onComplete(ar -> reply(message, ar));
    }

    private void onAnswer(Message<JsonObject> message) {
        reply(message, viewers.applyAnswer(message.body().getLong("session"), message.body().getJsonObject("sdp").getString("sdp"),
                message.body().getBoolean("host", false)));
    }

    /**
     * WHEP: a player that offers (receive-only) gets the edge's answer: the stream's codec and Opus in the payload
     * types the player chose, sent from the shared port. Such viewers are edge-served, outside P2P Delivery.
     */
    private void onPlay(Message<JsonObject> message) {
        PeerSdp offer = offerOf(message);
        if (offer == null) {
            return;
        }
        String name = message.body().getString("stream");
        streamFor(name).compose(stream -> viewers.answerPlayer(offer, stream)).map(answer -> {
            String resource = ForwardedStream.token(16);
            players.put(resource, new WhepPlayer(answer.session(), name));
            return new JsonObject().put("resource", resource).put("sdp", answer.sdp());
        }).onComplete(ar -> reply(message, ar));
    }

    /** Ends a WHEP session named by its resource under its own stream (the same id under another stream is unknown). */
    private void onStopPlaying(Message<JsonObject> message) {
        String resource = message.body().getString("resource");
        WhepPlayer player = players.get(resource);
        if (player == null || !player.stream().equals(message.body().getString("stream"))) {
            message.fail(404, "no such WHEP resource");
            return;
        }
        players.remove(resource);
        viewers.release(player.session());
        message.reply(null);
    }

    static void reply(Message<?> message, AsyncResult<?> result) {
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

    /** This edge's stream of that name, or one pulled from the edge it is published on. */
    private Future<ForwardedStream> streamFor(String name) {
        ForwardedStream local = streams.get(name);
        return local != null ? Future.succeededFuture(local) : pulls.pull(name);
    }

    /** Without configured addresses, the port (bound to every interface) is announced at each IPv4 address of the host. */
    private static List<String> localAddresses() {
        List<String> out = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address) {
                        out.add(address.getHostAddress());
                    }
                }
            }
        } catch (SocketException e) {
            LOG.warning("cannot list network interfaces: " + e.getMessage());
        }
        // Loopback last: players on other hosts try the real addresses first.
        out.sort(Comparator.comparing((String a) -> a.startsWith("127.")));
        return out.isEmpty() ? List.of("127.0.0.1") : List.copyOf(out);
    }

    /** The configured codec as the wire knows it (media.rtc uses no config). */
    private static VideoCodec codec(EdgeConfig.Codec codec) {
        return switch (codec) {
            case VP8 -> VideoCodec.VP8;
            case H264 -> VideoCodec.H264;
        };
    }

    /** The admin API's view: each stream, where it comes from, and the media connections watching it here. */
    private JsonArray streamList() {
        JsonArray out = new JsonArray();
        streams.forEach((name, stream) -> {
            // "relay": the admin API's name for a pulled stream.
            String source = publishers.feeds(stream) ? "whip" : pulls.originOf(name).isPresent() ? "relay" : "demo";
            out.add(new JsonObject().put("name", name).put("source", source).put("codec", stream.codec.name())
                    .put("origin", pulls.originOf(name).orElse(edgeId)).put("mediaConnections", viewers.watching(stream)));
        });
        return out;
    }

    /** Counters of the forwarding plane (tests, and later the metrics). */
    public static final String FORWARDING_STATS = "p2pedge.media.forwarding-stats";
    /**
     * Diagnostics and tests (local event bus only): the edge loses the ICE session of a stream's publisher on its
     * port, as if its state were lost; the publisher's consent checks and media then fail for real.
     */
    static final String LOSE_PUBLISHER_SESSION = "p2pedge.media.lose-publisher-session";

    /**
     * Diagnostics and tests (local event bus only): pins a viewer ({@code session}) to a simulcast layer
     * ({@code layer}, 0 lowest), whatever its path says from then on; replies with the layer it is fed from now, or
     * fails 404 for an unknown session.
     */
    static final String SELECT_LAYER = "p2pedge.media.select-layer";

    private void onSelectLayer(Message<JsonObject> message) {
        long session = message.body().getLong("session", -1L);
        Integer layer = message.body().getInteger("layer");
        if (layer == null || !viewers.selectLayer(session, layer)) {
            message.fail(404, "no viewer " + session + " (or no layer given)");
            return;
        }
        message.reply(viewers.layerOf(session).orElse(-1));
    }

    private SourceRecovery sourceRecovery() {
        long requested = 0;
        long recovered = 0;
        long abandoned = 0;
        long unplaceable = 0;
        Map<String, Double> roundTrips = new HashMap<>();
        for (ForwardedStream stream : streams.values()) {
            SourceNacks nacks = stream.sourceNacks();
            requested += nacks.requested();
            recovered += nacks.recovered();
            abandoned += nacks.abandoned();
            unplaceable += stream.video.unplaceable();
            if (nacks.roundTripMillis() >= 0) {
                roundTrips.put(stream.name(), Math.round(nacks.roundTripMillis() * 10) / 10.0);
            }
        }
        return new SourceRecovery(requested, recovered, abandoned, unplaceable, roundTrips);
    }

    private LayerCounters layerCounters() {
        int below = 0;
        long switches = 0;
        long padding = 0;
        for (ForwardedStream stream : streams.values()) {
            below += stream.video.viewersBelowTop();
            switches += stream.video.switches();
            padding += stream.video.paddingSent();
        }
        return new LayerCounters(below, switches, padding);
    }

    private Future<JsonObject> stats() {
        long forwarded = 0;
        long retransmitted = 0;
        for (ForwardedStream stream : streams.values()) {
            forwarded += stream.video.forwarded() + stream.audio.forwarded();
            retransmitted += stream.video.retransmitted();
        }
        JsonObject dropped = new JsonObject();
        port.dropped().forEach(dropped::put);
        JsonObject estimates = new JsonObject();
        JsonObject deliveries = new JsonObject();
        viewers.legs().forEach((session, leg) -> {
            if (leg.estimateKbps() >= 0) {
                estimates.put(Long.toString(session), leg.estimateKbps());
            }
            if (leg.deliveredKbps() >= 0) {
                deliveries.put(Long.toString(session), new JsonObject().put("kbps", leg.deliveredKbps()).put("lossPercent", leg.lossPercent()));
            }
        });
        JsonObject layers = new JsonObject();
        streams.values().forEach(stream -> layers.put(stream.name(), new JsonArray(stream.video.sendingLayers().stream()
                .map(ssrc -> stream.video.layerBitsPerSecond(ssrc) / 1000).toList())));
        JsonObject stats = new JsonObject().put("viewers", viewers.size()).put("sessions", port.sessionCount())
                .put("recentHandshakeFailures", new JsonArray(port.recentHandshakeFailures()))
                .put("relayPulls", pulls.count()).put("routesMoved", port.routesMoved())
                .put("sourceVideoPackets", streams.values().stream().mapToLong(ForwardedStream::sourceVideoPackets).sum())
                .put("sourceVideoLost", streams.values().stream().mapToLong(ForwardedStream::sourceVideoLost).sum())
                .put("sourceRecovery", sourceRecovery().toJson())
                .put("forwarded", forwarded).put("retransmitted", retransmitted)
                .put("keyframeRequests", streams.values().stream().mapToLong(ForwardedStream::keyframeRequests).sum())
                .put("publisherRepublished", demoPublishers.stream().mapToLong(DemoPublication::republished).sum())
                .put("senderReports", streams.values().stream().mapToLong(ForwardedStream::senderReports).sum())
                .put("receiverReports", streams.values().stream().mapToLong(ForwardedStream::receiverReports).sum())
                .put("dropped", dropped)
                .put("stunAnswers", stun.answers()).put("stunAddresses", stun.admittedAddresses())
                .put("feedback", FeedbackCounters.of(feedbackStats).toJson())
                // What each viewer's receiver estimates its path from the edge carries (REMB, kbit/s), by session.
                .put("viewerEstimatesKbps", estimates)
                // What each viewer's transport-wide feedback says reached it over the last second (with TWCC).
                .put("viewerDeliveries", deliveries)
                // Each stream's video layers now sending, lowest first, at their average kbit/s (one: no simulcast).
                .put("streamLayersKbps", layers)
                .put("refusedLayerPackets", streams.values().stream().mapToLong(stream -> stream.video.refusedLayerPackets()).sum());
        // The first demo publisher speaks for the plane's RTCP health (the RTT it derives from our reports).
        return demoPublishers.stream().findFirst()
                .map(publisher -> publisher.roundTripMillis().map(rtt -> rtt.map(ms -> stats.put("publisherRttMillis", ms)).orElse(stats)))
                .orElse(Future.succeededFuture(stats));
    }

    /** The offer in a PLAY or PUBLISH request, or null once the request has been failed with a 400 saying why. */
    static PeerSdp offerOf(Message<JsonObject> message) {
        try {
            return PeerSdp.parseOffer(message.body().getString("sdp"));
        } catch (IllegalArgumentException e) {
            message.fail(400, "offer rejected: " + e.getMessage());
            return null;
        }
    }

    private void onClose(Message<JsonObject> message) {
        viewers.release(message.body().getLong("session"));
        message.reply(null);
    }

}
