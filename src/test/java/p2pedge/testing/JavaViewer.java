package p2pedge.testing;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.PortAllocatorConfig;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.video.I420Buffer;
import dev.onvoid.webrtc.media.video.VideoFrame;
import dev.onvoid.webrtc.media.video.VideoTrack;
import dev.onvoid.webrtc.media.video.VideoTrackSink;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import p2pedge.media.demo.TestPattern;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A webrtc-java player: answers the edge's offer received over {@link SignallingClient}, decodes the video
 * and counts frames, reading the demo pattern's frame number out of each one.
 * The factory is shared by the viewers of a test and disposed by the test.
 */
public final class JavaViewer implements AutoCloseable {

    private volatile int lastWidth;

    private final SignallingClient signalling;
    private final RTCPeerConnection peerConnection;
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong lastFrameNumber = new AtomicLong(-1);
    /** Frame number drawn in the picture -> when this viewer first decoded it (System.nanoTime), bounded. */
    private final java.util.Map<Long, Long> decodedAt = new java.util.concurrent.ConcurrentHashMap<>();
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final VideoTrackSink sink = this::onFrame;
    private volatile VideoTrack videoTrack;
    private volatile boolean closed;
    private final long id;

    public JavaViewer(PeerConnectionFactory factory, SignallingClient signalling) throws Exception {
        this.signalling = signalling;
        JsonObject offer = signalling.requestOffer();
        this.id = offer.getLong("id");
        RTCConfiguration config = new RTCConfiguration();
        // Wildcard-bound ports, announced at 127.0.0.1: tests stay on loopback.
        config.portAllocatorConfig = new PortAllocatorConfig(0, 0, 0).setDisableAdapterEnumeration(true).setDisableTcp(true);
        peerConnection = factory.createPeerConnection(config, new PeerConnectionObserver() {
            @Override
            public void onIceCandidate(RTCIceCandidate candidate) {
                String loopback = candidate.sdp.replaceFirst("^(\\S+ \\d+ \\S+ \\d+ )\\S+", "$1127.0.0.1");
                if (candidate.sdp.contains(" udp ") && !candidate.sdp.split(" ")[4].contains(":")) {
                    signalling.sendTextNoWait(new JsonObject().put("command", "candidate").put("id", id).put("peer_id", 0)
                            .put("candidates", new JsonArray().add(new JsonObject().put("candidate", loopback)
                                    .put("sdpMid", candidate.sdpMid).put("sdpMLineIndex", candidate.sdpMLineIndex))).encode());
                }
            }

            @Override
            public void onConnectionChange(RTCPeerConnectionState state) {
                if (state == RTCPeerConnectionState.CONNECTED) {
                    connected.complete(null);
                }
            }

            @Override
            public void onTrack(RTCRtpTransceiver transceiver) {
                MediaStreamTrack track = transceiver.getReceiver().getTrack();
                if (track instanceof VideoTrack video) {
                    videoTrack = video;
                    video.addSink(sink);
                }
            }
        });
        JsonObject sdp = offer.getJsonObject("sdp");
        BlockingSdp.await(observer -> peerConnection.setRemoteDescription(
                new RTCSessionDescription(RTCSdpType.OFFER, sdp.getString("sdp")), observer));
        for (Object o : offer.getJsonArray("candidates")) {
            JsonObject c = (JsonObject) o;
            peerConnection.addIceCandidate(new RTCIceCandidate(c.getString("sdpMid", "0"), c.getInteger("sdpMLineIndex", 0),
                    c.getString("candidate")));
        }
        CompletableFuture<RTCSessionDescription> answer = new CompletableFuture<>();
        peerConnection.createAnswer(new RTCAnswerOptions(), new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription description) {
                answer.complete(description);
            }

            @Override
            public void onFailure(String error) {
                answer.completeExceptionally(new IllegalStateException(error));
            }
        });
        RTCSessionDescription description = answer.get(10, TimeUnit.SECONDS);
        BlockingSdp.await(observer -> peerConnection.setLocalDescription(description, observer));
        signalling.send(new JsonObject().put("command", "answer").put("id", id).put("peer_id", 0)
                .put("sdp", new JsonObject().put("type", "answer").put("sdp", description.sdp)));
    }

    /** The viewer's signalling socket, for messages after the offer/answer (errors, stop). */
    public SignallingClient signalling() {
        return signalling;
    }

    public long id() {
        return id;
    }

    public void awaitConnected(long timeoutMillis) throws Exception {
        connected.get(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /** Decoded video frames so far. */
    /**
     * How many remote-outbound-rtp stats libwebrtc keeps for this viewer: one per incoming stream whose sender
     * reports it has accepted (they map the stream's RTP time to the sender's clock).
     */
    public long streamsWithSenderReports() throws Exception {
        CompletableFuture<dev.onvoid.webrtc.RTCStatsReport> report = new CompletableFuture<>();
        peerConnection.getStats(report::complete);
        return report.get(5, java.util.concurrent.TimeUnit.SECONDS).getStats().values().stream()
                .filter(stats -> stats.getType() == dev.onvoid.webrtc.RTCStatsType.REMOTE_OUTBOUND_RTP).count();
    }

    /** When each frame number was first decoded (System.nanoTime), for latency against its publisher's clock. */
    public java.util.Map<Long, Long> decodedAt() {
        return decodedAt;
    }

    public long frames() {
        return frames.get();
    }

    /**
     * Fails unless every viewer's decoded frame number (drawn in the picture) rises within a second. The message gives
     * every viewer's frame number and decoded frame count before and after: a count that rose with the number standing
     * still means the source sent the same picture (its generator stalled), a count that stood still means nothing
     * reached the decoder. {@code edge} describes the edge's side before and after (e.g. packets received from the
     * source and forwarded), to tell a source that went quiet from a delivery that stalled.
     */
    public static void assertFrameNumbersRise(java.util.List<JavaViewer> viewers, java.util.concurrent.Callable<String> edge)
            throws Exception {
        long[] before = viewers.stream().mapToLong(JavaViewer::lastFrameNumber).toArray();
        long[] framesBefore = viewers.stream().mapToLong(JavaViewer::frames).toArray();
        String edgeBefore = edge.call();
        Thread.sleep(1_000);
        String edgeAfter = edge.call();
        StringBuilder all = new StringBuilder();
        boolean stood = false;
        for (int i = 0; i < viewers.size(); i++) {
            long after = viewers.get(i).lastFrameNumber();
            stood |= after <= before[i];
            all.append(String.format(" viewer %d: frame %d -> %d, %d -> %d frames decoded;", i, before[i], after,
                    framesBefore[i], viewers.get(i).frames()));
        }
        if (stood) {
            throw new AssertionError("frame numbers rise within a second for every viewer:" + all + " edge before: " + edgeBefore
                    + ", after: " + edgeAfter);
        }
    }

    /** The width of the last decoded frame (0 before any): which simulcast layer it gets. */
    public int lastWidth() {
        return lastWidth;
    }

    /** The demo pattern's frame number read from the last decoded frame (-1 before any). */
    public long lastFrameNumber() {
        return lastFrameNumber.get();
    }

    private void onFrame(VideoFrame frame) {
        try {
            if (closed) {
                return;
            }
            I420Buffer i420 = frame.buffer.toI420();
            try {
                lastWidth = i420.getWidth();
                long number = TestPattern.decodeFrameNumber(i420.getDataY(), i420.getStrideY(), i420.getWidth(), i420.getHeight());
                lastFrameNumber.set(number);
                if (decodedAt.size() < 10_000) {
                    decodedAt.putIfAbsent(number, System.nanoTime());
                }
            } finally {
                // toI420() of a native I420 buffer is the buffer itself, not a new reference.
                if (i420 != frame.buffer) {
                    i420.release();
                }
            }
            frames.incrementAndGet();
        } finally {
            frame.release();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (videoTrack != null) {
            videoTrack.removeSink(sink);
        }
        peerConnection.close();
        signalling.close();
    }
}
