package p2pedge.testing;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.PortAllocatorConfig;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.VideoTrack;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A WHIP client in the test: a webrtc-java connection sending the test pattern (frame numbers it drew, from 0)
 * that publishes by {@code POST}ing its offer to the edge and applying the answer; {@link #close} DELETEs the
 * session. Video only (the headless audio module must not feed a custom audio source).
 */
public final class WhipPublisher implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final CustomVideoSource source = new CustomVideoSource();
    private final VideoTrack track;
    private final RTCPeerConnection connection;
    private final RTCRtpSender sender;
    private final String base;
    private PatternPublisher frames;
    private String location;

    public WhipPublisher(PeerConnectionFactory factory, int port) {
        this.base = "http://127.0.0.1:" + port;
        this.track = factory.createVideoTrack("whip-video", source);
        RTCConfiguration config = new RTCConfiguration();
        config.portAllocatorConfig = new PortAllocatorConfig(0, 0, 0).setDisableAdapterEnumeration(true).setDisableTcp(true);
        connection = factory.createPeerConnection(config, new PeerConnectionObserver() {
            @Override
            public void onIceCandidate(RTCIceCandidate candidate) {
                // The edge is ICE-lite: its answer has its candidate; ours it learns from our checks.
            }
        });
        sender = connection.addTrack(track, List.of("whip"));
    }

    /** The offer this publisher would send (for tests that mangle it). */
    public String offer() throws Exception {
        CompletableFuture<RTCSessionDescription> offer = new CompletableFuture<>();
        connection.createOffer(new RTCOfferOptions(), new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription description) {
                offer.complete(description);
            }

            @Override
            public void onFailure(String error) {
                offer.completeExceptionally(new IllegalStateException(error));
            }
        });
        RTCSessionDescription description = offer.get(10, TimeUnit.SECONDS);
        BlockingSdp.await(observer -> connection.setLocalDescription(description, observer));
        return description.sdp;
    }

    /** POSTs an offer to /{stream}; returns the response (status, headers, body as text). */
    public static HttpResponse<String> post(int port, String stream, String contentType, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/" + stream))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public static HttpResponse<String> delete(int port, String location, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + location))
                .timeout(Duration.ofSeconds(10)).DELETE();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Publishes to {@code stream} and starts drawing frames (for about 100 s); fails unless the edge answers 201. */
    public WhipPublisher publish(String stream, String token) throws Exception {
        return publish(stream, token, 3_000);
    }

    /** Publishes to {@code stream} and draws {@code frameCount} frames at about 30 fps; fails unless the edge answers 201. */
    public WhipPublisher publish(String stream, String token, int frameCount) throws Exception {
        HttpResponse<String> response = post(Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)), stream,
                "application/sdp", offer(), token);
        if (response.statusCode() != 201) {
            throw new AssertionError("WHIP POST answered " + response.statusCode() + ": " + response.body());
        }
        location = response.headers().firstValue("Location").orElseThrow(() -> new AssertionError("no Location"));
        BlockingSdp.await(observer -> connection.setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER,
                response.body()), observer));
        frames = new PatternPublisher(source, 320, 180, frameCount, "whip");
        return this;
    }

    /** Glass-to-glass latencies (ms, sorted) of the frames {@code viewer} decoded, against this publisher's clock. */
    public double[] latenciesMillis(JavaViewer viewer) {
        return frames.latenciesMillis(viewer.decodedAt());
    }

    public String location() {
        return location;
    }

    /** Stops drawing and closes the connection without telling the edge (a publisher that vanished). */
    public void vanish() throws InterruptedException {
        if (frames != null) {
            frames.close();
            frames = null;
        }
    }

    @Override
    public void close() throws Exception {
        vanish();
        connection.removeTrack(sender);
        connection.close();
        track.dispose();
        source.dispose();
    }
}
