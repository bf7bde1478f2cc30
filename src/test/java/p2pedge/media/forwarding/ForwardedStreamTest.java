package p2pedge.media.forwarding;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.media.rtc.DtlsCertificate;
import p2pedge.media.rtc.FeedbackLimits;
import p2pedge.media.rtc.FeedbackStats;
import p2pedge.media.rtc.SharedUdpPort;
import p2pedge.media.rtc.VideoCodec;
import p2pedge.testing.OnContext;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stream and its sources: packets are taken by the current source's payload types, keyframe requests go to the
 * current source with the SSRC it sends, a new source closes the one it replaces and starts the reception
 * figures afresh, and closing the stream closes its source once (also one handed over after the close).
 */
@ExtendWith(VertxExtension.class)
class ForwardedStreamTest {

    private static byte[] rtp(int payloadType, int ssrc) {
        return ByteBuffer.allocate(16).put((byte) 0x80).put((byte) payloadType).putShort((short) 1).putInt(1000).putInt(ssrc)
                .put((byte) 0x10).put((byte) 0x10).put((byte) 0x02).put((byte) 0x00).array();
    }

    @Test
    void theCurrentSourceFeedsTheStreamAndIsClosedOnceWhenReplacedOrClosed(Vertx vertx) throws Exception {
        BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
        Context context = vertx.getOrCreateContext();
        FixedSource first = new FixedSource(96, 111);
        FixedSource second = new FixedSource(100, 101);
        FixedSource late = new FixedSource(96, 111);
        OnContext.run(context, () -> {
            ForwardedStream stream = new ForwardedStream("live", VideoCodec.VP8,
                    new SharedUdpPort(vertx, crypto, DtlsCertificate.generate(crypto)), context,
                    new ForwardedStream.Shared(FeedbackLimits.DEFAULT, new FeedbackStats(), null, new ForwardDelayHistogram()));
            stream.onSourceRtp(rtp(96, 0x1111), System.nanoTime());
            assertTrue(stream.receptionReport().isEmpty(), "nothing is taken before a source");

            stream.feedFrom(first);
            stream.onSourceRtp(rtp(96, 0x1111), System.nanoTime());
            assertEquals(1, stream.receptionReport().size(), "video counted");
            stream.onSourceRtp(rtp(111, 0x2222), System.nanoTime());
            stream.onSourceRtp(rtp(100, 0x3333), System.nanoTime());
            assertEquals(2, stream.receptionReport().size(), "audio counted; another payload type is not");
            stream.requestKeyframe();
            assertEquals(List.of(0x1111), first.keyframeRequests, "the request names the source's video SSRC");
            assertTrue(stream.publisher().isEmpty());

            stream.feedFrom(second);
            assertEquals(1, first.closes, "the replaced source is closed");
            assertTrue(stream.receptionReport().isEmpty(), "the new source's figures start afresh");
            stream.onSourceRtp(rtp(96, 0x1111), System.nanoTime());
            assertTrue(stream.receptionReport().isEmpty(), "the old payload types are no longer taken");
            stream.onSourceRtp(rtp(100, 0x4444), System.nanoTime());
            assertEquals(1, stream.receptionReport().size());
            stream.feedFrom(second);
            assertEquals(0, second.closes, "the same source again is kept");

            stream.close();
            stream.close();
            assertEquals(1, second.closes, "closing the stream closes its source once");
            assertEquals(1, first.closes);
            stream.feedFrom(late);
            assertEquals(1, late.closes, "a source handed to a closed stream is closed at once");
        });
    }
}
