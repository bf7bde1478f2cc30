package p2pedge.media.forwarding;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.media.rtc.ClientTransport;
import p2pedge.media.rtc.DtlsCertificate;
import p2pedge.media.rtc.FeedbackLimits;
import p2pedge.media.rtc.FeedbackStats;
import p2pedge.media.rtc.PeerSdp;
import p2pedge.media.rtc.SharedUdpPort;
import p2pedge.media.rtc.VideoCodec;
import p2pedge.testing.OnContext;
import p2pedge.testing.Waits;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A viewer's transport against the real port in process, with the client transport as the player: once its DTLS
 * completes it is in both forwarders, its video and audio arrive protected by its one sending context (the player
 * decrypts both with its one receiving context), and close ends its session, its forwarding and its contexts, and
 * may be repeated.
 */
@ExtendWith(VertxExtension.class)
class ViewerTransportTest {

    private static final int VP8 = 96;

    private final BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
    private final DtlsCertificate edgeIdentity = DtlsCertificate.generate(crypto);
    private final DtlsCertificate playerIdentity = DtlsCertificate.generate(crypto);
    private final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    private final AtomicInteger connected = new AtomicInteger();
    private Context context;
    private SharedUdpPort port;
    private InetSocketAddress edge;
    private ForwardedStream stream;
    private ClientTransport player;

    @BeforeEach
    void start(Vertx vertx) throws Exception {
        context = vertx.getOrCreateContext();
        port = new SharedUdpPort(vertx, crypto, edgeIdentity);
        edge = new InetSocketAddress("127.0.0.1", OnContext.call(context, () -> port.listen("127.0.0.1", 0)));
        OnContext.call(context, () -> {
            stream = new ForwardedStream("live", VideoCodec.VP8, port, context,
                    new ForwardedStream.Shared(FeedbackLimits.DEFAULT, new FeedbackStats(), null, new ForwardDelayHistogram()));
            stream.feedFrom(new FixedSource(VP8, ForwardedStream.OPUS));
            player = new ClientTransport(vertx, crypto, playerIdentity, h -> vertx.executeBlocking(h, false),
                    new ClientTransport.Receiver() {
                        @Override
                        public void onRtp(byte[] plain, int datagramLength, long readNanos) {
                            received.add(plain);
                        }

                        @Override
                        public void onRtcp(byte[] plain) {
                        }

                        @Override
                        public void onRefused() {
                        }
                    });
            return player.listen("127.0.0.1");
        });
    }

    @AfterEach
    void stop() throws Exception {
        OnContext.call(context, () -> {
            stream.close();
            return player.close();
        });
        OnContext.call(context, () -> port.close());
    }

    private static byte[] rtp(int payloadType, int ssrc, boolean vp8Keyframe) {
        return ByteBuffer.allocate(16).put((byte) 0x80).put((byte) payloadType).putShort((short) 1).putInt(1000).putInt(ssrc)
                /* VP8 descriptor: S; payload header: P clear on a keyframe */
                .put((byte) 0x10).put((byte) (vp8Keyframe ? 0x10 : 0x11)).put((byte) 0x02).put((byte) 0x00).array();
    }

    /** The player's answer, as far as the port needs it. */
    private static PeerSdp player(String fingerprint) {
        return new PeerSdp("playerufrag", "playerpassword0123456789", fingerprint, "active", List.of());
    }

    private static int ssrcOf(byte[] rtp) {
        return ByteBuffer.wrap(rtp, 8, 4).getInt();
    }

    @Test
    void oneSendingContextCarriesVideoAndAudioAndCloseEndsEverythingOnce() throws Exception {
        ViewerTransport viewer = new ViewerTransport(port, stream, "7", 1);
        assertNotEquals(viewer.videoSsrc, viewer.audioSsrc, "one context protects both: their SSRCs differ");
        OnContext.run(context, () -> viewer.open(player(playerIdentity.fingerprint()), new ViewerTransport.Feed(VP8, ForwardedStream.OPUS, false, 0, 0, false, false),
                connected::incrementAndGet));
        OnContext.call(context, () -> {
            player.addCandidate(edge);
            return player.connect(new ClientTransport.Remote(viewer.ufrag, viewer.password, edgeIdentity.fingerprint(), true));
        });
        // The edge's side of the handshake completes on the port's context, after the player's.
        Waits.until(() -> connected.get() > 0, 5_000, "the edge's keys");
        assertEquals(1, connected.get(), "connected once");
        assertFalse(OnContext.call(context, () -> Future.succeededFuture(viewer.open(player("00:11"), new ViewerTransport.Feed(VP8,
                ForwardedStream.OPUS, false, 0, 0, false, false), connected::incrementAndGet))), "a second answer is refused");
        assertTrue(viewer.connected(), "and the connection it had stays");
        assertEquals(1, stream.video.viewerCount());
        assertEquals(1, stream.audio.viewerCount());

        OnContext.run(context, () -> {
            stream.onSourceRtp(rtp(VP8, 0x1111, true), System.nanoTime());
            stream.onSourceRtp(rtp(ForwardedStream.OPUS, 0x2222, false), System.nanoTime());
        });
        byte[] first = received.poll(5, TimeUnit.SECONDS);
        byte[] second = received.poll(5, TimeUnit.SECONDS);
        assertNotNull(first, "video reached the player");
        assertNotNull(second, "audio reached the player");
        assertEquals(viewer.videoSsrc, ssrcOf(first));
        assertEquals(VP8, first[1] & 0x7F);
        assertEquals(viewer.audioSsrc, ssrcOf(second));
        assertEquals(ForwardedStream.OPUS, second[1] & 0x7F);

        OnContext.run(context, () -> {
            viewer.close();
            viewer.close();
        });
        assertEquals(0, port.sessionCount(), "its session on the port is closed");
        assertEquals(0, stream.video.viewerCount());
        assertEquals(0, stream.audio.viewerCount());
        long forwarded = stream.video.forwarded() + stream.audio.forwarded();
        OnContext.run(context, () -> {
            stream.onSourceRtp(rtp(VP8, 0x1111, true), System.nanoTime());
            stream.onSourceRtp(rtp(ForwardedStream.OPUS, 0x2222, false), System.nanoTime());
        });
        assertEquals(forwarded, stream.video.forwarded() + stream.audio.forwarded(), "nothing is forwarded to it any more");
        assertNull(received.poll(300, TimeUnit.MILLISECONDS));
        OnContext.run(context, () -> viewer.open(player(playerIdentity.fingerprint()), new ViewerTransport.Feed(VP8, ForwardedStream.OPUS, false, 0, 0, false, false),
                connected::incrementAndGet));
        assertEquals(0, port.sessionCount(), "a closed transport opens nothing");
    }
}
