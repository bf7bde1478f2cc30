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
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.security.SecureRandom;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * libwebrtc (webrtc-java) against the edge's shared media port: given an offer that names the port, the
 * session's ICE credentials and the edge's certificate fingerprint, ICE completes (a nominated pair
 * succeeds), the DTLS-SRTP handshake completes with mutual fingerprint checks, and libwebrtc reports the
 * connection "connected" while the edge holds the exported SRTP keys. On loopback.
 */
@Tag("e2e")
@ExtendWith(VertxExtension.class)
class SharedPortInteropTest {

    private static final String UFRAG = "edgeufrag1";
    private static final String PASSWORD = "edgepassword0123456789ab";

    @Test
    void libwebrtcCompletesIceAndDtlsSrtpWithTheSharedPort(Vertx vertx) throws Exception {
        BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
        DtlsCertificate identity = DtlsCertificate.generate(crypto);
        AtomicReference<MediaSession> session = new AtomicReference<>();
        CompletableFuture<SrtpKeys> keys = new CompletableFuture<>();
        SharedUdpPort port = new SharedUdpPort(vertx, crypto, identity,
                ufrag -> Optional.ofNullable(session.get()).filter(s -> s.localUfrag().equals(ufrag)));
        int udpPort = port.listen("127.0.0.1", 0).await(10, TimeUnit.SECONDS);
        HeadlessAudioDeviceModule audio = new HeadlessAudioDeviceModule();
        PeerConnectionFactory factory = new PeerConnectionFactory(audio);
        RTCConfiguration config = new RTCConfiguration();
        config.portAllocatorConfig = new PortAllocatorConfig(0, 0, 0).setDisableAdapterEnumeration(true).setDisableTcp(true);
        CompletableFuture<Void> connected = new CompletableFuture<>();
        RTCPeerConnection player = factory.createPeerConnection(config, new PeerConnectionObserver() {
            @Override
            public void onIceCandidate(RTCIceCandidate candidate) {
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
        try {
            await(observer -> player.setRemoteDescription(new RTCSessionDescription(RTCSdpType.OFFER, offer(udpPort, identity.fingerprint())), observer));
            CompletableFuture<RTCSessionDescription> answer = new CompletableFuture<>();
            player.createAnswer(new RTCAnswerOptions(), new CreateSessionDescriptionObserver() {
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
            Matcher fingerprint = Pattern.compile("a=fingerprint:sha-256 ([0-9A-Fa-f:]+)").matcher(description.sdp);
            assertTrue(fingerprint.find(), description.sdp);
            session.set(new MediaSession(UFRAG, PASSWORD, fingerprint.group(1), keys::complete));
            await(observer -> player.setLocalDescription(description, observer));
            // The ICE agent's own verdict first: a nominated candidate pair that succeeded.
            String pair = null;
            long until = System.currentTimeMillis() + 15_000;
            while (pair == null && System.currentTimeMillis() < until) {
                pair = succeededPair(player);
                Thread.sleep(50);
            }
            assertTrue(pair != null, "no succeeded, nominated candidate pair; checks answered " + port.checksAnswered()
                    + ", dropped " + port.dropped());
            assertTrue(port.checksAnswered() > 0, "checks answered: " + port.checksAnswered());
            connected.get(15, TimeUnit.SECONDS);
            SrtpKeys srtp = keys.get(5, TimeUnit.SECONDS);
            assertEquals(SrtpKeys.AES128_CM_HMAC_SHA1_80, srtp.profile());
            assertEquals(1, port.handshakesDone());
            System.out.printf("ICE-lite + DTLS-SRTP: libwebrtc connected after %d answered checks, %d handshake; dropped %s%n",
                    port.checksAnswered(), port.handshakesDone(), port.dropped());
        } finally {
            player.close();
            factory.dispose();
            audio.dispose();
            port.close().await(5, TimeUnit.SECONDS);
        }
    }

    /** What the forwarder will offer: ice-lite, the shared port as the one candidate, DTLS role actpass. */
    private static String offer(int udpPort, String fingerprint) {
        return String.join("\r\n",
                "v=0",
                "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
                "s=-",
                "t=0 0",
                "a=group:BUNDLE 0",
                "a=ice-lite",
                "a=msid-semantic: WMS edge",
                "m=video 9 UDP/TLS/RTP/SAVPF 96",
                "c=IN IP4 0.0.0.0",
                "a=rtcp:9 IN IP4 0.0.0.0",
                "a=ice-ufrag:" + UFRAG,
                "a=ice-pwd:" + PASSWORD,
                "a=fingerprint:sha-256 " + fingerprint,
                "a=setup:actpass",
                "a=mid:0",
                "a=sendonly",
                "a=rtcp-mux",
                "a=rtpmap:96 VP8/90000",
                "a=rtcp-fb:96 nack",
                "a=rtcp-fb:96 nack pli",
                "a=ssrc:11111111 cname:edge",
                "a=ssrc:11111111 msid:edge video",
                "a=candidate:1 1 udp 2130706431 127.0.0.1 " + udpPort + " typ host",
                "a=end-of-candidates",
                "");
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

    private interface SdpCall {
        void call(SetSessionDescriptionObserver observer);
    }

    private static void await(SdpCall call) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        call.call(new SetSessionDescriptionObserver() {
            @Override
            public void onSuccess() {
                done.complete(null);
            }

            @Override
            public void onFailure(String error) {
                done.completeExceptionally(new IllegalStateException(error));
            }
        });
        done.get(10, TimeUnit.SECONDS);
    }
}
