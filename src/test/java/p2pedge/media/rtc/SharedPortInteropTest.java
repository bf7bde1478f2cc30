package p2pedge.media.rtc;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.PortAllocatorConfig;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.VideoTrack;
import dev.onvoid.webrtc.media.video.VideoTrackSink;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.media.demo.TestPattern;
import p2pedge.testing.BlockingSdp;
import p2pedge.testing.PatternPublisher;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * libwebrtc (webrtc-java) against the edge's shared media port, on loopback: given an offer that names the port,
 * the session's ICE credentials and the edge's certificate fingerprint, ICE completes (a nominated pair
 * succeeds), the DTLS-SRTP handshake completes with mutual fingerprint checks, and libwebrtc reports the
 * connection "connected" while the edge holds the exported SRTP keys; a publisher's video then arrives as
 * SRTP that the edge authenticates and decrypts.
 */
@Tag("e2e")
@ExtendWith(VertxExtension.class)
class SharedPortInteropTest {

    private static final String UFRAG = "edgeufrag1";
    private static final String PASSWORD = "edgepassword0123456789ab";
    private static final int VP8 = 96;

    private final List<RTCPeerConnection> others = new ArrayList<>();
    private DtlsCertificate identity;
    private SharedUdpPort port;
    private int udpPort;
    private HeadlessAudioDeviceModule audio;
    private PeerConnectionFactory factory;
    private RTCPeerConnection peer;

    @BeforeEach
    void start(Vertx vertx) throws Exception {
        BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
        identity = DtlsCertificate.generate(crypto);
        port = new SharedUdpPort(vertx, crypto, identity);
        udpPort = port.listen("127.0.0.1", 0).await(10, TimeUnit.SECONDS);
        audio = new HeadlessAudioDeviceModule();
        factory = new PeerConnectionFactory(audio);
    }

    @AfterEach
    void stop() throws Exception {
        if (peer != null) {
            peer.close();
        }
        others.forEach(RTCPeerConnection::close);
        factory.dispose();
        audio.dispose();
        port.close().await(5, TimeUnit.SECONDS);
    }

    @Test
    void libwebrtcCompletesIceAndDtlsSrtpWithTheSharedPort() throws Exception {
        CompletableFuture<SrtpKeys> keys = new CompletableFuture<>();
        CompletableFuture<Void> connected = connect("sendonly", keys::complete, (kind, packet, receivedNanos) -> { }, pc -> { });
        String pair = null;
        long until = System.currentTimeMillis() + 15_000;
        while (pair == null && System.currentTimeMillis() < until) {
            pair = succeededPair(peer); // the ICE agent's own verdict: a nominated pair that succeeded
            Thread.sleep(50);
        }
        assertTrue(pair != null, "no succeeded, nominated candidate pair; checks answered " + port.checksAnswered()
                + ", dropped " + port.dropped());
        connected.get(15, TimeUnit.SECONDS);
        SrtpKeys srtp = keys.get(5, TimeUnit.SECONDS);
        assertEquals(SrtpProfile.AEAD_AES_128_GCM, srtp.profile(), "libwebrtc offers GCM, and the edge prefers it");
        assertEquals(1, port.handshakesDone());
        System.out.printf("ICE-lite + DTLS-SRTP: libwebrtc connected after %d answered checks, %d handshake; dropped %s%n",
                port.checksAnswered(), port.handshakesDone(), port.dropped());
    }

    /** In each profile libwebrtc speaks (the edge configured to take only that one). */
    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void aPublishersVideoArrivesAsSrtpTheEdgeAuthenticatesAndDecrypts(SrtpProfile profile) throws Exception {
        port.srtpProfiles(List.of(profile));
        AtomicReference<SrtpProfile> negotiated = new AtomicReference<>();
        AtomicReference<SrtpTransformer> srtp = new AtomicReference<>();
        AtomicLong vp8Packets = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        CustomVideoSource source = new CustomVideoSource();
        VideoTrack track = factory.createVideoTrack("publisher-video", source);
        PatternPublisher pusher = null;
        try {
            CompletableFuture<Void> connected = connect("recvonly", keys -> {
                        negotiated.set(keys.profile());
                        srtp.set(SrtpTransformer.forReceiving(keys));
                    },
                    (kind, packet, receivedNanos) -> {
                        SrtpTransformer transformer = srtp.get();
                        if (kind != PacketKind.RTP || transformer == null) {
                            return;
                        }
                        Optional<byte[]> plain = transformer.unprotectRtp(packet);
                        if (plain.isEmpty()) {
                            refused.incrementAndGet();
                        } else if ((plain.get()[1] & 0x7F) == VP8) {
                            vp8Packets.incrementAndGet();
                        }
                    },
                    pc -> pc.addTrack(track, List.of("publisher")));
            connected.get(15, TimeUnit.SECONDS);
            pusher = new PatternPublisher(source, 320, 180, 600, "publisher");
            long deadline = System.currentTimeMillis() + 10_000;
            while (vp8Packets.get() < 100 && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(vp8Packets.get() >= 100, "VP8 packets decrypted: " + vp8Packets.get() + ", refused " + refused.get());
            assertEquals(0, refused.get(), "every packet of the authenticated publisher passes SRTP checks");
            assertEquals(profile, negotiated.get());
            System.out.printf("publisher -> shared port (%s): %d VP8 RTP packets authenticated and decrypted%n", profile,
                    vp8Packets.get());
        } finally {
            if (pusher != null) {
                pusher.close();
            }
            if (peer != null) {
                for (var sender : peer.getSenders()) {
                    peer.removeTrack(sender);
                }
                peer.close();
                peer = null;
            }
            track.dispose();
            source.dispose();
        }
    }

    /** A libwebrtc viewer of the forwarder, counting decoded frames and reading the pattern's frame numbers. */
    private final class TestViewer {
        final AtomicLong decoded = new AtomicLong();
        final AtomicLong lastFrameNumber = new AtomicLong(-1);
        final AtomicLong firstFrameNanos = new AtomicLong();
        final AtomicReference<VideoTrack> track = new AtomicReference<>();
        final VideoTrackSink sink = frame -> {
            try {
                var i420 = frame.buffer.toI420();
                lastFrameNumber.set(TestPattern.decodeFrameNumber(i420.getDataY(), i420.getStrideY(), i420.getWidth(), i420.getHeight()));
                firstFrameNanos.compareAndSet(0, System.nanoTime());
                decoded.incrementAndGet();
            } finally {
                frame.release();
            }
        };

        TestViewer(String name, int ssrc, RtpForwarder forwarder) throws Exception {
            CompletableFuture<Void> secured = new CompletableFuture<>();
            connect(name, name + "-password-0123456789", "sendonly", ssrc,
                    keys -> {
                        forwarder.add(name, new RtpForwarder.Viewer(port.addressOf(name).orElseThrow(), new RtpRewriter(ssrc),
                                SrtpTransformer.forSending(keys)));
                        secured.complete(null);
                    },
                    (kind, packet, receivedNanos) -> { },
                    pc -> { },
                    new PeerConnectionObserver() {
                        @Override
                        public void onIceCandidate(RTCIceCandidate candidate) {
                        }

                        @Override
                        public void onTrack(dev.onvoid.webrtc.RTCRtpTransceiver transceiver) {
                            if (transceiver.getReceiver().getTrack() instanceof VideoTrack video) {
                                track.set(video);
                                video.addSink(sink);
                            }
                        }
                    }).get(15, TimeUnit.SECONDS);
            secured.get(5, TimeUnit.SECONDS);
        }

        void detach() {
            if (track.get() != null) {
                track.get().removeSink(sink);
            }
        }
    }

    @Test
    void aPublishersVideoIsForwardedToViewersWhoDecodeItWithoutReencodingAndLateJoinersGetAKeyframeFast() throws Exception {
        AtomicReference<SrtpKeys> publisherKeys = new AtomicReference<>();
        AtomicReference<SrtpTransformer> fromPublisher = new AtomicReference<>();
        AtomicReference<SrtpTransformer> toPublisher = new AtomicReference<>();
        AtomicLong publisherSsrc = new AtomicLong(-1);
        // A PLI to the publisher over SRTCP: how a joining viewer gets its keyframe.
        KeyframeRequests keyframes = new KeyframeRequests(300, System::nanoTime, ssrc -> {
            SrtpTransformer out = toPublisher.get();
            if (out == null || publisherSsrc.get() < 0) {
                return;
            }
            try {
                port.send(port.addressOf("publisher1").orElseThrow(), out.protectRtcp(Rtcp.pli(0x0ED6E000, (int) publisherSsrc.get())));
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
        RtpForwarder forwarder = new RtpForwarder(port::send, keyframes, VideoCodec.VP8);
        List<TestViewer> viewers = new ArrayList<>();
        viewers.add(new TestViewer("viewer1", 0x5EED5EED, forwarder));

        CustomVideoSource source = new CustomVideoSource();
        VideoTrack track = factory.createVideoTrack("publisher-video", source);
        PatternPublisher pusher = null;
        try {
            connect("publisher1", "publisherpassword0123456", "recvonly", 0,
                    keys -> {
                        publisherKeys.set(keys);
                        toPublisher.set(SrtpTransformer.forSending(keys));
                        fromPublisher.set(SrtpTransformer.forReceiving(keys));
                    },
                    (kind, packet, receivedNanos) -> {
                        SrtpTransformer transformer = fromPublisher.get();
                        if (kind == PacketKind.RTP && transformer != null) {
                            transformer.unprotectRtp(packet).filter(p -> (p[1] & 0x7F) == VP8).ifPresent(p -> {
                                publisherSsrc.set(java.nio.ByteBuffer.wrap(p, 8, 4).getInt() & 0xFFFFFFFFL);
                                forwarder.onSourceRtp(p);
                            });
                        }
                    },
                    pc -> pc.addTrack(track, List.of("publisher")), null).get(15, TimeUnit.SECONDS);
            pusher = new PatternPublisher(source, 320, 180, 600, "publisher");
            TestViewer first = viewers.get(0);
            p2pedge.testing.Waits.until(() -> first.decoded.get() >= 30, 15_000,
                    "viewer 1 decodes; forwarded " + forwarder.forwarded() + ", dropped " + port.dropped());
            long before = first.lastFrameNumber.get();
            Thread.sleep(500);
            assertTrue(first.lastFrameNumber.get() > before, "the publisher's frame numbers rise at the viewer");

            // Mid-stream: libwebrtc's VP8 encoder sends no periodic keyframes, so only a PLI gets this one going.
            long joined = System.nanoTime();
            long asked = keyframes.sent();
            TestViewer late = new TestViewer("viewer2", 0x0BADCAFE, forwarder);
            viewers.add(late);
            p2pedge.testing.Waits.until(() -> late.decoded.get() >= 10, 10_000, "the late viewer decodes");
            long firstFrameMillis = (late.firstFrameNanos.get() - joined) / 1_000_000;
            assertTrue(keyframes.sent() > asked, "a keyframe was requested for the late join: " + asked + " -> " + keyframes.sent());
            System.out.printf("forwarder: %d + %d frames decoded by 2 viewers, %d packets forwarded; the late viewer's first "
                            + "frame %d ms after it joined (ICE + DTLS + PLI + keyframe), %d keyframe requests%n",
                    first.decoded.get(), late.decoded.get(), forwarder.forwarded(), firstFrameMillis, keyframes.sent());
        } finally {
            if (pusher != null) {
                pusher.close();
            }
            viewers.forEach(TestViewer::detach);
            for (RTCPeerConnection pc : others) {
                for (var sender : pc.getSenders()) {
                    pc.removeTrack(sender);
                }
                pc.close();
            }
            others.clear();
            track.dispose();
            source.dispose();
            forwarder.remove("viewer1");
            forwarder.remove("viewer2");
        }
    }

    /**
     * Plays the edge's offer (the m-line {@code direction} is the edge's) to a libwebrtc peer, registers the
     * session with the fingerprint of its answer, and returns when libwebrtc reports the connection state.
     */
    private CompletableFuture<Void> connect(String direction, Consumer<SrtpKeys> onKeys, MediaSession.MediaHandler onMedia,
                                            Consumer<RTCPeerConnection> beforeAnswer) throws Exception {
        return connect(UFRAG, PASSWORD, direction, 11111111, onKeys, onMedia, beforeAnswer, null);
    }

    private CompletableFuture<Void> connect(String ufrag, String password, String direction, int ssrc, Consumer<SrtpKeys> onKeys,
                                            MediaSession.MediaHandler onMedia, Consumer<RTCPeerConnection> beforeAnswer,
                                            PeerConnectionObserver extra) throws Exception {
        RTCConfiguration config = new RTCConfiguration();
        config.portAllocatorConfig = new PortAllocatorConfig(0, 0, 0).setDisableAdapterEnumeration(true).setDisableTcp(true);
        CompletableFuture<Void> connected = new CompletableFuture<>();
        RTCPeerConnection created = factory.createPeerConnection(config, new PeerConnectionObserver() {
            @Override
            public void onIceCandidate(RTCIceCandidate candidate) {
            }

            @Override
            public void onTrack(dev.onvoid.webrtc.RTCRtpTransceiver transceiver) {
                if (extra != null) {
                    extra.onTrack(transceiver);
                }
            }

            @Override
            public void onConnectionChange(RTCPeerConnectionState state) {
                if (state == RTCPeerConnectionState.CONNECTED) {
                    connected.complete(null);
                } else if (state == RTCPeerConnectionState.FAILED) {
                    connected.completeExceptionally(new AssertionError("libwebrtc: connection failed"));
                }
            }
        });
        if (peer == null) {
            peer = created;
        } else {
            others.add(created);
        }
        RTCPeerConnection pc = created;
        beforeAnswer.accept(pc);
        String offer = offer(udpPort, identity.fingerprint(), ufrag, password, direction, ssrc);
        BlockingSdp.await(observer -> pc.setRemoteDescription(new RTCSessionDescription(RTCSdpType.OFFER, offer), observer));
        CompletableFuture<RTCSessionDescription> answer = new CompletableFuture<>();
        pc.createAnswer(new RTCAnswerOptions(), new CreateSessionDescriptionObserver() {
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
        PeerSdp parsed = PeerSdp.parse(description.sdp);
        assertEquals(direction.equals("sendonly") ? "recvonly" : "sendonly", parsed.media().get(0).direction(), description.sdp);
        assertEquals(List.of(VP8), parsed.media().get(0).payloadTypes());
        port.open(new MediaSession(ufrag, password, parsed.fingerprint(), onKeys, onMedia));
        BlockingSdp.await(observer -> pc.setLocalDescription(description, observer));
        return connected;
    }

    /** The forwarder's offer ({@link EdgeSdp}): the edge sends ({@code sendonly}) or receives ({@code recvonly}) VP8. */
    private static String offer(int udpPort, String fingerprint, String ufrag, String password, String direction, int ssrc) {
        EdgeSdp.Direction edgeDirection = direction.equals("sendonly") ? EdgeSdp.Direction.SENDONLY : EdgeSdp.Direction.RECVONLY;
        return new EdgeSdp(ufrag, password, fingerprint, "127.0.0.1", udpPort, List.of(new EdgeSdp.Media(
                EdgeSdp.Kind.VIDEO, "0", edgeDirection, List.of(EdgeSdp.Codec.vp8()), ssrc, "edge"))).write();
    }

    /** A succeeded, nominated candidate pair from libwebrtc's stats, or null. */
    private static String succeededPair(RTCPeerConnection peer) throws Exception {
        CompletableFuture<String> found = new CompletableFuture<>();
        peer.getStats(report -> found.complete(report.getStats().values().stream()
                .filter(s -> s.getType() == dev.onvoid.webrtc.RTCStatsType.CANDIDATE_PAIR)
                .filter(s -> "succeeded".equals(String.valueOf(s.getAttributes().get("state")))
                        && Boolean.TRUE.equals(s.getAttributes().get("nominated")))
                .map(Object::toString).findFirst().orElse(null)));
        return found.get(5, TimeUnit.SECONDS);
    }
}
