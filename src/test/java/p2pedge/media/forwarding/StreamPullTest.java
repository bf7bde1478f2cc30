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
import p2pedge.webrtc.CandidateLine;
import p2pedge.media.rtc.DtlsCertificate;
import p2pedge.media.rtc.EdgeSdp;
import p2pedge.media.rtc.FeedbackLimits;
import p2pedge.media.rtc.FeedbackStats;
import p2pedge.media.rtc.Negotiation;
import p2pedge.media.rtc.PeerSdp;
import p2pedge.media.rtc.SharedUdpPort;
import p2pedge.media.rtc.VideoCodec;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pull answers its owner's offer through the one negotiation path: what a publisher may not offer, nor may an owner. */
@ExtendWith(VertxExtension.class)
class StreamPullTest {

    private static final List<String> OWNER_CANDIDATES =
            List.of(CandidateLine.udp(CandidateLine.Type.HOST, 1, "127.0.0.1", 9).format());

    private final BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
    private final DtlsCertificate identity = DtlsCertificate.generate(crypto);
    private final DtlsCertificate ownerIdentity = DtlsCertificate.generate(crypto);
    private Context context;
    private ForwardedStream stream;
    private StreamPull pull;

    @BeforeEach
    void create(Vertx vertx) {
        context = vertx.getOrCreateContext();
        SharedUdpPort port = new SharedUdpPort(vertx, crypto, identity);
        stream = new ForwardedStream("live", VideoCodec.VP8, port, context,
                new ForwardedStream.Shared(FeedbackLimits.DEFAULT, new FeedbackStats(), null, new ForwardDelayHistogram()));
    }

    @AfterEach
    void close() throws Exception {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        context.runOnContext(v -> {
            if (pull != null) {
                pull.close();
            }
            stream.close();
            closed.complete(null);
        });
        closed.get(5, TimeUnit.SECONDS);
    }

    private String ownersOffer(List<EdgeSdp.Media> media) {
        return new EdgeSdp("ownr", "0123456789abcdefghijklmn", ownerIdentity.fingerprint(), "127.0.0.1", 9, media).write();
    }

    /** Starts a pull on the media context; the answers it would send go to {@code answers}, which refuses them. */
    private String start(String offer, List<String> answers) throws Exception {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        context.runOnContext(v -> {
            pull = new StreamPull(context.owner(), crypto, identity, stream);
            pull.start(offer, OWNER_CANDIDATES, answer -> {
                answers.add(answer);
                return Future.failedFuture("not delivered (test)");
            }).onComplete(ar -> outcome.complete(ar.succeeded() ? "connected" : ar.cause().getMessage()));
        });
        return outcome.get(5, TimeUnit.SECONDS);
    }

    @Test
    void whatTheOwnerOffersIsAnsweredReceiveOnlyAsTheDtlsClient() throws Exception {
        List<String> answers = new ArrayList<>();
        assertEquals("not delivered (test)", start(ownersOffer(Negotiation.offer(VideoCodec.VP8, "live", 1, 2)), answers));
        assertEquals(1, answers.size());
        PeerSdp answer = PeerSdp.parse(answers.get(0));
        assertEquals(identity.fingerprint(), answer.fingerprint());
        assertEquals(List.of("recvonly", "recvonly"), answer.media().stream().map(PeerSdp.Media::direction).toList());
        assertEquals(List.of(96), answer.media().get(0).payloadTypes());
    }

    @Test
    void anOwnersOfferInTheWrongDirectionIsRefusedBeforeAnythingIsSent() throws Exception {
        List<String> answers = new ArrayList<>();
        String receiving = ownersOffer(Negotiation.offer(VideoCodec.VP8, "live", 1, 2)).replace("a=sendonly", "a=recvonly");
        assertEquals("the owner's offer is unusable: cannot take a recvonly video section (mid 0): the owner must send one video "
                + "and at most one audio section", start(receiving, answers));
        assertTrue(answers.isEmpty());
    }

    @Test
    void anOwnersOfferWithTwoVideoSectionsIsRefused() throws Exception {
        List<String> answers = new ArrayList<>();
        List<EdgeSdp.Media> media = new ArrayList<>(Negotiation.offer(VideoCodec.VP8, "live", 1, 2));
        media.add(new EdgeSdp.Media(EdgeSdp.Kind.VIDEO, "2", EdgeSdp.Direction.SENDONLY, List.of(EdgeSdp.Codec.vp8()), 3, "live"));
        assertEquals("the owner's offer is unusable: cannot take a sendonly video section (mid 2): the owner must send one video "
                + "and at most one audio section", start(ownersOffer(media), answers));
        assertTrue(answers.isEmpty());
    }
}
