package p2pedge.media;

import dev.onvoid.webrtc.PeerConnectionFactory;
import p2pedge.config.EdgeConfig.StreamSpec;
import p2pedge.media.demo.DemoStream;
import p2pedge.media.demo.LiveStream;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/** The streams this edge can serve, by {@code app/stream} name. Owned by the media verticle. */
final class StreamRegistry implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(StreamRegistry.class.getName());

    private final Map<String, LiveStream> streams = new LinkedHashMap<>();

    StreamRegistry(PeerConnectionFactory factory, List<StreamSpec> specs) {
        for (StreamSpec spec : specs) {
            if (!"demo".equals(spec.source())) {
                throw new IllegalArgumentException("stream " + spec.name() + ": unknown source '" + spec.source() + "'");
            }
            if (streams.containsKey(spec.name())) {
                throw new IllegalArgumentException("stream " + spec.name() + " is configured twice");
            }
            // Each viewer gets its own encoder on this plane: one layer, at the configured size.
            streams.put(spec.name(), new DemoStream(factory, spec.withLayers(1)));
            LOG.info(() -> "stream " + spec.name() + ": demo source " + spec.width() + "x" + spec.height() + "@" + spec.fps());
        }
    }

    Optional<LiveStream> find(String name) {
        return Optional.ofNullable(streams.get(name));
    }

    @Override
    public void close() {
        streams.values().forEach(LiveStream::close);
        streams.clear();
    }
}
