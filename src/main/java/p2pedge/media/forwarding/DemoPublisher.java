package p2pedge.media.forwarding;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.PortAllocatorConfig;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpEncodingParameters;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCRtpTransceiverInit;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.RTCStatsType;
import io.vertx.core.Context;
import io.vertx.core.Future;
import p2pedge.media.demo.LiveStream;
import p2pedge.media.WebrtcCalls;
import p2pedge.media.rtc.PeerSdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Encodes a raw source (the demo stream's tracks) once: one in-process webrtc-java connection that publishes to
 * the edge's own shared port exactly as a WHIP publisher would (it offers, the edge answers), held at the
 * stream's bitrate because the edge sends it no congestion feedback. One connection, used once: its states go
 * to {@code onLink} on the Vert.x context, and {@link DemoPublication} replaces a lost one with a new publisher.
 */
final class DemoPublisher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DemoPublisher.class.getName());

    private final LiveStream source;
    private final List<RTCRtpSender> senders = new ArrayList<>();
    private final Consumer<PublisherHealth.Link> onLink;
    private RTCPeerConnection connection;
    private Context context;
    /** Read on the context only: libwebrtc's callbacks hop there first. */
    private boolean closed;

    DemoPublisher(LiveStream source, Consumer<PublisherHealth.Link> onLink) {
        this.source = source;
        this.onLink = onLink;
    }

    /** Publishes into {@code stream}; completes when the edge holds the publisher's SRTP keys. */
    Future<Void> publish(PeerConnectionFactory factory, ForwardedStream stream, String fingerprint, int udpPort, Context context) {
        this.context = context;
        RTCConfiguration config = new RTCConfiguration();
        config.portAllocatorConfig = new PortAllocatorConfig(0, 0, 0).setDisableAdapterEnumeration(true).setDisableTcp(true);
        connection = factory.createPeerConnection(config, new PeerConnectionObserver() {
            @Override
            public void onIceCandidate(RTCIceCandidate candidate) {
                // The edge is ICE-lite and learns the publisher's address from its checks.
            }

            /** On libwebrtc's signaling thread: hop to the context, hold nothing, call nothing on the connection here. */
            @Override
            public void onConnectionChange(RTCPeerConnectionState state) {
                PublisherHealth.Link link = switch (state) {
                    case NEW, CONNECTING -> PublisherHealth.Link.CONNECTING;
                    case CONNECTED -> PublisherHealth.Link.CONNECTED;
                    case DISCONNECTED -> PublisherHealth.Link.DISCONNECTED;
                    case FAILED -> PublisherHealth.Link.FAILED;
                    case CLOSED -> PublisherHealth.Link.CLOSED;
                };
                context.runOnContext(v -> {
                    if (!closed) {
                        onLink.accept(link);
                    }
                });
            }
        });
        List<String> streamIds = List.of(source.name());
        int pinKbps = source.bitrateKbps();
        if (source.layers() > 1) {
            RTCRtpTransceiverInit init = new RTCRtpTransceiverInit();
            init.direction = RTCRtpTransceiverDirection.SEND_ONLY;
            init.streamIds = streamIds;
            init.sendEncodings = simulcast(source.bitrateKbps(), source.layers(), source.inputScale());
            // Rounded up: libwebrtc enables a layer only when what is left of the total covers its minimum.
            pinKbps = (init.sendEncodings.stream().mapToInt(e -> e.maxBitrate).sum() + 999) / 1000;
            senders.add(connection.addTransceiver(source.videoTrack(), init).getSender());
        } else {
            senders.add(connection.addTrack(source.videoTrack(), streamIds));
        }
        int pinnedKbps = pinKbps;
        senders.add(source.whileAudioPaused(() -> connection.addTrack(source.audioTrack(), streamIds)));
        return WebrtcCalls.createOffer(connection, context)
                .compose(offer -> WebrtcCalls.setLocal(connection, offer, context).map(offer))
                .compose(offer -> {
                    PublisherSession publisher = stream.acceptPublisher(PeerSdp.parseOffer(offer.sdp), fingerprint,
                            "127.0.0.1", udpPort, pinnedKbps);
                    return WebrtcCalls.setRemote(connection, new RTCSessionDescription(RTCSdpType.ANSWER, publisher.answer()),
                            context).compose(v -> publisher.secured().timeout(10, TimeUnit.SECONDS));
                })
                .onSuccess(v -> LOG.info(() -> "stream " + source.name() + ": encoded once (" + stream.codec + " at "
                        + source.bitrateKbps() + " kbit/s" + (source.layers() > 1 ? ", " + source.layers()
                        + " simulcast layers, " + pinnedKbps + " kbit/s in all" : "") + ") by the in-process publisher, forwarded"));
    }

    /**
     * The encodings of a simulcast publish, lowest first (libwebrtc sends them as a legacy SIM group in that order):
     * the top at the stream's size and bitrate, each lower one at half its width and height and a third of its
     * bitrate (640x360 at 600 kbit/s, 320x180 at 200, 160x90 at 67), each held at its bitrate as the one-encoding
     * publisher is (min = max: the edge sends the publisher no congestion feedback).
     */
    private static List<RTCRtpEncodingParameters> simulcast(int topKbps, int layers, double inputScale) {
        List<RTCRtpEncodingParameters> encodings = new ArrayList<>();
        for (int i = layers - 1; i >= 0; i--) {
            RTCRtpEncodingParameters encoding = new RTCRtpEncodingParameters();
            encoding.active = true;
            encoding.scaleResolutionDownBy = inputScale * (1 << i);
            encoding.maxBitrate = (int) (topKbps * 1000 / Math.pow(3, i));
            encoding.minBitrate = encoding.maxBitrate;
            encodings.add(encoding);
        }
        return encodings;
    }

    /**
     * The round-trip time this publisher's libwebrtc computed from the edge's receiver reports (LSR/DLSR
     * against its own sender reports), in ms; empty until it has one. Proof the reports are sound.
     */
    Future<Optional<Double>> roundTripMillis() {
        if (connection == null) {
            return Future.succeededFuture(Optional.empty());
        }
        return WebrtcCalls.stats(connection, context).map(report -> report.getStats().values().stream()
                .filter(stats -> stats.getType() == RTCStatsType.REMOTE_INBOUND_RTP)
                .map(stats -> stats.getAttributes().get("roundTripTime"))
                .filter(rtt -> rtt instanceof Number)
                .map(rtt -> ((Number) rtt).doubleValue() * 1000)
                .findFirst());
    }

    /**
     * Senders go before the connection closes; the tracks belong to the source, which disposes them (and may add
     * them to a new publisher). Once only: later calls do nothing. (webrtc-java 0.14.0 keeps about 0.3 MB of a
     * closed connection's native side; there is no other call that frees it.)
     */
    @Override
    public void close() {
        closed = true;
        if (connection != null) {
            source.whileAudioPaused(() -> {
                senders.forEach(connection::removeTrack);
                senders.clear();
                connection.close();
            });
            connection = null;
        }
    }
}
