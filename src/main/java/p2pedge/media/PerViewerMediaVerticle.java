package p2pedge.media;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PortAllocatorConfig;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.media.audio.AudioDeviceModule;
import dev.onvoid.webrtc.media.audio.AudioLayer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import p2pedge.config.EdgeConfig;
import p2pedge.media.demo.LiveStream;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The per-viewer media plane ({@code media.plane=webrtc}): one webrtc-java peer connection, with its own encoder,
 * per edge-served viewer, sending the stream's tracks.
 * Deployed as a worker verticle: libwebrtc calls block briefly while they hop to its signalling thread,
 * which must never happen on an event loop. Its consumers are local: media never crosses edges.
 */
public final class PerViewerMediaVerticle extends VerticleBase {

    private static final Logger LOG = Logger.getLogger(PerViewerMediaVerticle.class.getName());

    private final EdgeConfig.Media media;
    private final List<EdgeConfig.StreamSpec> configuredStreams;
    private final Map<Long, ViewerConnection> viewers = new HashMap<>();
    private final List<MessageConsumer<?>> consumers = new ArrayList<>();
    private final Map<Long, Long> connectTimers = new HashMap<>();
    private AnnouncedCandidates announced;
    private AudioDeviceModule audioDevice;
    private PeerConnectionFactory factory;
    private StreamRegistry streams;
    /** Egress from libwebrtc's transport stats, sampled: each open connection's last figure, plus the closed ones'. */
    private final Map<Long, Long> bytesSent = new HashMap<>();
    private long closedBytesSent;
    private final EgressRate egress = new EgressRate();
    private long egressTimer = -1;

    /** Takes the sections it answers for: media (its webrtc part) and the configured streams. */
    public PerViewerMediaVerticle(EdgeConfig config) {
        this.media = config.media();
        this.configuredStreams = config.streams();
    }

    @Override
    public Future<?> start() {
        // libwebrtc's default audio module needs a sound card and aborts the JVM without one. The dummy layer
        // records nothing: a recording module (even the headless one) would feed every audio send stream from
        // its own thread, racing the demo source's pushes (libwebrtc aborts on that race).
        audioDevice = new AudioDeviceModule(AudioLayer.kDummyAudio);
        factory = new PeerConnectionFactory(audioDevice);
        streams = new StreamRegistry(factory, configuredStreams);
        announced = new AnnouncedCandidates(media.iceCandidateAddresses(), media.webrtc().ipv6());
        var bus = vertx.eventBus();
        consumers.add(bus.localConsumer(MediaApi.OFFER, this::onOffer));
        consumers.add(bus.localConsumer(MediaApi.ANSWER, this::onAnswer));
        consumers.add(bus.localConsumer(MediaApi.CANDIDATES, this::onCandidates));
        consumers.add(bus.localConsumer(MediaApi.CLOSE, this::onClose));
        consumers.add(bus.<String>localConsumer(MediaApi.STREAM_EXISTS,
                m -> m.reply(streams.find(m.body()).isPresent())));
        consumers.add(bus.localConsumer(MediaApi.CONNECTIONS, m -> m.reply(viewers.size())));
        // One encoder per viewer, no layers and no edge-side feedback figures: no legs to show.
        consumers.add(bus.localConsumer(MediaApi.VIEWER_LEGS, m -> m.reply(new JsonObject())));
        consumers.add(bus.localConsumer(MediaApi.SNAPSHOT, m -> m.reply(new MediaSnapshot(
                viewers.size(), configuredStreams.size(), 0, egressBytes(), egress.bitsPerSecond()).toJson())));
        consumers.add(bus.localConsumer(MediaApi.STREAMS, m -> {
            JsonArray out = new JsonArray();
            configuredStreams.forEach(spec -> out.add(new JsonObject().put("name", spec.name()).put("source", "demo")
                    .put("mediaConnections", viewers.values().stream().filter(v -> v.streamName().equals(spec.name())).count())));
            m.reply(out);
        }));
        egressTimer = vertx.setPeriodic(EgressRate.INTERVAL_MS, t -> sampleEgress());
        return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
    }

    @Override
    public Future<?> stop() {
        consumers.forEach(MessageConsumer::unregister);
        vertx.cancelTimer(egressTimer);
        connectTimers.values().forEach(vertx::cancelTimer);
        // Order matters: connections before tracks, tracks before the factory (else libwebrtc crashes).
        viewers.values().forEach(ViewerConnection::close);
        int closed = viewers.size();
        viewers.clear();
        streams.close();
        factory.dispose();
        audioDevice.dispose();
        LOG.info(() -> "media stopped, closed " + closed + " viewer connection(s)");
        return Future.succeededFuture();
    }

    private void onOffer(Message<JsonObject> message) {
        long session = MediaApi.session(message.body());
        String streamName = message.body().getString("stream");
        LiveStream stream = streams.find(streamName).orElse(null);
        if (stream == null) {
            message.fail(404, "stream " + streamName + " not found");
            return;
        }
        // A repeated request_offer replaces the session's connection.
        release(session);
        if (viewers.size() >= media.maxViewers()) {
            message.fail(503, "edge is at its viewer limit (" + media.maxViewers() + ")");
            return;
        }
        ViewerConnection viewer;
        try {
            viewer = new ViewerConnection(session, factory, rtcConfiguration(), stream, context,
                    () -> MediaApi.publishConnected(vertx.eventBus(), session),
                    reason -> lost(session, 502, reason));
        } catch (RuntimeException e) {
            message.fail(500, "cannot create peer connection: " + e.getMessage());
            return;
        }
        viewers.put(session, viewer);
        viewer.offer().onComplete(ar -> {
            if (viewers.get(session) != viewer) {
                message.fail(410, "session closed while offering");
            } else if (ar.failed()) {
                release(session);
                message.fail(500, ar.cause().getMessage());
            } else {
                MediaApi.Offer offer = ar.result();
                // An offer holds a slot: one never answered gives it back after the connect timeout.
                startConnectTimer(viewer, MediaApi.OFFER_NOT_ANSWERED, "offer not answered within "
                        + media.connectTimeoutSeconds() + " s");
                message.reply(new MediaApi.Offer(offer.sdp(), announced.announce(offer.candidates()), stream.bitrateKbps()).toJson());
            }
        });
    }

    private void onAnswer(Message<JsonObject> message) {
        long session = MediaApi.session(message.body());
        ViewerConnection viewer = viewers.get(session);
        if (viewer == null) {
            message.fail(400, "no offer outstanding");
            return;
        }
        viewer.applyAnswer(MediaApi.sdp(message.body())).onComplete(ar -> {
            if (ar.succeeded()) {
                startConnectTimer(viewer, 502, "media connection not established within "
                        + media.connectTimeoutSeconds() + " s");
                message.reply(null);
            } else {
                release(session);
                message.fail(400, "answer rejected: " + ar.cause().getMessage());
            }
        });
    }

    private void onCandidates(Message<JsonObject> message) {
        ViewerConnection viewer = viewers.get(MediaApi.session(message.body()));
        if (viewer == null) {
            message.fail(400, "no edge connection for candidates");
            return;
        }
        viewer.addCandidates(MediaApi.candidates(message.body()));
        message.reply(null);
    }

    private void onClose(Message<JsonObject> message) {
        release(MediaApi.session(message.body()));
        message.reply(null);
    }

    /** (Re)starts the viewer's deadline: not connected by then, it is released and its player told why. */
    private void startConnectTimer(ViewerConnection viewer, int code, String reason) {
        long timer = vertx.setTimer(media.connectTimeoutSeconds() * 1000L, t -> {
            connectTimers.remove(viewer.session());
            if (viewers.get(viewer.session()) == viewer && !viewer.connected()) {
                lost(viewer.session(), code, reason);
            }
        });
        Long previous = connectTimers.put(viewer.session(), timer);
        if (previous != null) {
            vertx.cancelTimer(previous);
        }
    }

    private void lost(long session, int code, String reason) {
        if (viewers.containsKey(session)) {
            LOG.info(() -> "session " + session + ": " + reason);
            release(session);
            MediaApi.publishLost(vertx.eventBus(), new MediaApi.ConnectionLost(session, code, reason));
        }
    }

    private long egressBytes() {
        return closedBytesSent + bytesSent.values().stream().mapToLong(Long::longValue).sum();
    }

    private void sampleEgress() {
        List<Future<Long>> samples = new ArrayList<>();
        viewers.forEach((session, viewer) -> samples.add(viewer.bytesSent().onSuccess(bytes -> {
            if (viewers.get(session) == viewer) {
                bytesSent.put(session, bytes);
            }
        })));
        Future.join(samples).onComplete(ar -> egress.sample(egressBytes()));
    }

    private void release(long session) {
        Long sent = bytesSent.remove(session);
        if (sent != null) {
            closedBytesSent += sent;
        }
        ViewerConnection viewer = viewers.remove(session);
        if (viewer != null) {
            viewer.close();
        }
        Long timer = connectTimers.remove(session);
        if (timer != null) {
            vertx.cancelTimer(timer);
        }
    }

    private RTCConfiguration rtcConfiguration() {
        EdgeConfig.PerViewer webrtc = media.webrtc();
        // Adapter enumeration off: ports bind to the wildcard address, so one gathered candidate per family
        // can be announced at whatever address players reach the edge by (see AnnouncedCandidates).
        PortAllocatorConfig ports = new PortAllocatorConfig(webrtc.udpPortMin(), webrtc.udpPortMax(), 0)
                .setDisableAdapterEnumeration(true)
                .setDisableTcp(!webrtc.tcp())
                .setEnableIpv6(webrtc.ipv6())
                .setDisableStun(true)
                .setDisableRelay(true);
        RTCConfiguration rtc = new RTCConfiguration();
        rtc.portAllocatorConfig = ports;
        return rtc;
    }
}
