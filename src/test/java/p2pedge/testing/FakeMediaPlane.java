package p2pedge.testing;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import p2pedge.config.EdgeConfig;
import p2pedge.media.FeedbackCounters;
import p2pedge.media.LayerCounters;
import p2pedge.media.MediaApi;
import p2pedge.media.MediaSnapshot;
import p2pedge.media.SourceRecovery;
import p2pedge.webrtc.IceCandidate;
import p2pedge.webrtc.SessionDescription;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;

/**
 * Answers the media contract ({@link MediaApi}) without libwebrtc, encoders or a UDP port, for tests whose subject
 * is signalling or P2P: offers for the configured streams, an answer counts as a connected viewer at once
 * ({@link MediaApi#CONNECTED}), and the connections it holds are counted so tests still see every one released.
 * Ingest and WHEP are refused (503). Not for tests of what the media plane does with SDP or packets.
 */
public final class FakeMediaPlane extends VerticleBase {

    /** What the edge offers: one video and one audio section, as the forwarder's offer has. */
    private static final String OFFER_SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
            + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendonly\r\na=rtpmap:96 VP8/90000\r\n"
            + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=sendonly\r\na=rtpmap:111 opus/48000/2\r\n";

    private final EdgeConfig config;
    /** What its snapshots say the (absent) media port dropped, by reason. */
    private final Map<String, Long> portDropped;
    /** Session -> stream, from offer to close. */
    private final Map<Long, String> sessions = new HashMap<>();
    private final List<MessageConsumer<?>> consumers = new ArrayList<>();

    public FakeMediaPlane(EdgeConfig config) {
        this(config, Map.of());
    }

    /**
     * One whose snapshots report {@code portDropped} as datagrams its media port dropped, by reason: the edge then
     * registers the meters a forwarder's drops make it register.
     */
    public FakeMediaPlane(EdgeConfig config, Map<String, Long> portDropped) {
        this.config = config;
        this.portDropped = Map.copyOf(portDropped);
    }

    @Override
    public Future<?> start() {
        var bus = vertx.eventBus();
        consumers.add(bus.<JsonObject>localConsumer(MediaApi.OFFER, this::offer));
        consumers.add(bus.<JsonObject>localConsumer(MediaApi.ANSWER, this::answer));
        consumers.add(bus.<JsonObject>localConsumer(MediaApi.CANDIDATES, m -> m.reply(null)));
        consumers.add(bus.<JsonObject>localConsumer(MediaApi.CLOSE, m -> {
            sessions.remove(m.body().getLong("session"));
            m.reply(null);
        }));
        consumers.add(bus.localConsumer(MediaApi.CONNECTIONS, m -> m.reply(sessions.size())));
        consumers.add(bus.localConsumer(MediaApi.VIEWER_LEGS, m -> m.reply(new io.vertx.core.json.JsonObject())));
        consumers.add(bus.<String>localConsumer(MediaApi.STREAM_EXISTS, m -> m.reply(configured(m.body()).isPresent())));
        consumers.add(bus.localConsumer(MediaApi.SNAPSHOT, m -> m.reply(
                new MediaSnapshot(sessions.size(), config.streams().size(), 0, 0, 0, FeedbackCounters.NONE, portDropped, 0,
                        LayerCounters.NONE, SourceRecovery.NONE, p2pedge.media.ForwardDelays.NONE).toJson())));
        consumers.add(bus.localConsumer(MediaApi.STREAMS, m -> m.reply(streams())));
        for (String refused : List.of(MediaApi.PUBLISH, MediaApi.UNPUBLISH, MediaApi.PLAY, MediaApi.STOP_PLAYING)) {
            consumers.add(bus.localConsumer(refused, m -> m.fail(503, "no media plane in this test")));
        }
        return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
    }

    @Override
    public Future<?> stop() {
        return Future.all(consumers.stream().map(MessageConsumer::unregister).toList());
    }

    private Optional<EdgeConfig.StreamSpec> configured(String stream) {
        return config.streams().stream().filter(s -> s.name().equals(stream)).findFirst();
    }

    private void offer(Message<JsonObject> message) {
        long session = message.body().getLong("session");
        String stream = message.body().getString("stream");
        Optional<EdgeConfig.StreamSpec> spec = configured(stream);
        if (spec.isEmpty()) {
            message.fail(404, "stream '" + stream + "' not found");
            return;
        }
        sessions.put(session, stream);
        IceCandidate candidate = new IceCandidate("candidate:1 1 udp 2130706431 127.0.0.1 9 typ host", 0, "0", null);
        // The bitrate the stream is configured at, as the real planes announce it.
        message.reply(new MediaApi.Offer(new SessionDescription("offer", OFFER_SDP), List.of(candidate), spec.get().bitrateKbps())
                .toJson());
    }

    private void answer(Message<JsonObject> message) {
        long session = message.body().getLong("session");
        if (!sessions.containsKey(session)) {
            message.fail(400, "no offer for this session");
            return;
        }
        message.reply(null);
        vertx.eventBus().publish(MediaApi.CONNECTED, session);
    }

    private JsonArray streams() {
        JsonArray out = new JsonArray();
        config.streams().forEach(s -> out.add(new JsonObject().put("name", s.name()).put("source", "demo")
                .put("mediaConnections", sessions.values().stream().filter(s.name()::equals).count())));
        return out;
    }
}
