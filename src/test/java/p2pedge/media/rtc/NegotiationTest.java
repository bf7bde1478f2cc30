package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every answer and every refusal of the one negotiation path: WHIP publishers, WHEP players and the pull's owner. */
class NegotiationTest {

    private static final String FINGERPRINT = "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99";

    /** One media section of a test offer: kind, mid, direction and its rtpmap lines ("98 VP8/90000"). */
    private record Section(String kind, String mid, String direction, String... rtpmaps) {
    }

    private static String offer(Section... sections) {
        List<String> lines = new ArrayList<>(List.of("v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0"));
        lines.add("a=group:BUNDLE " + String.join(" ", List.of(sections).stream().map(Section::mid).toList()));
        for (Section s : sections) {
            StringBuilder types = new StringBuilder();
            for (String rtpmap : s.rtpmaps()) {
                types.append(' ').append(rtpmap, 0, rtpmap.indexOf(' '));
            }
            lines.add("m=" + s.kind() + " 9 UDP/TLS/RTP/SAVPF" + (types.isEmpty() ? " 0" : types));
            lines.addAll(List.of("c=IN IP4 0.0.0.0", "a=ice-ufrag:abcd", "a=ice-pwd:0123456789abcdefghijklmn",
                    "a=fingerprint:sha-256 " + FINGERPRINT, "a=setup:actpass", "a=mid:" + s.mid(), "a=" + s.direction()));
            for (String rtpmap : s.rtpmaps()) {
                lines.add("a=rtpmap:" + rtpmap);
                if (rtpmap.contains("opus")) {
                    lines.add("a=fmtp:" + rtpmap.substring(0, rtpmap.indexOf(' ')) + " minptime=10;useinbandfec=1");
                }
            }
        }
        return String.join("\r\n", lines) + "\r\n";
    }

    private static PeerSdp parsed(Section... sections) {
        return PeerSdp.parseOffer(offer(sections));
    }

    private static Negotiation.Answer receive(Negotiation.Offerer offerer, PeerSdp offer, VideoCodec codec) {
        return offerer == Negotiation.Offerer.OWNER ? Negotiation.owner(offer, codec, "live")
                : Negotiation.publisher(offer, codec, "live", null);
    }

    private static Negotiation.Rejected refusal(Runnable negotiation) {
        return assertThrows(Negotiation.Rejected.class, negotiation::run);
    }

    @Test
    void aPublisherSendingVideoAndAudioGetsAReceiveOnlyAnswerInItsOwnPayloadTypes() {
        PeerSdp offer = parsed(new Section("video", "v", "sendonly", "98 VP8/90000", "100 H264/90000"),
                new Section("audio", "a", "sendrecv", "109 opus/48000/2"));
        Negotiation.Answer answer = Negotiation.publisher(offer, VideoCodec.VP8, "live", null);
        assertEquals(98, answer.videoType());
        assertEquals(109, answer.audioType());
        assertEquals(List.of(
                new EdgeSdp.Media(EdgeSdp.Kind.VIDEO, "v", EdgeSdp.Direction.RECVONLY,
                        List.of(new EdgeSdp.Codec(98, "VP8", 90_000, null, null)), 0, "live"),
                new EdgeSdp.Media(EdgeSdp.Kind.AUDIO, "a", EdgeSdp.Direction.RECVONLY,
                        List.of(new EdgeSdp.Codec(109, "opus", 48_000, 2, "minptime=10;useinbandfec=1")), 0, "live")),
                answer.media());
    }

    @Test
    void aPinnedPublisherIsHeldAtItsBitrateAndAudioIsOptional() {
        Negotiation.Answer answer = Negotiation.publisher(parsed(new Section("video", "0", "sendonly", "102 H264/90000")),
                VideoCodec.H264, "live", 800);
        assertEquals(-1, answer.audioType());
        assertEquals("x-google-start-bitrate=800;x-google-min-bitrate=800;x-google-max-bitrate=800",
                answer.media().get(0).codecs().get(0).fmtp());
    }

    @Test
    void aPublishersStreamIsForwardedInVp8WhenOfferedElseH264() {
        assertEquals(VideoCodec.VP8, Negotiation.publisherCodec(parsed(
                new Section("video", "0", "sendonly", "102 H264/90000", "96 VP8/90000"))));
        assertEquals(VideoCodec.H264, Negotiation.publisherCodec(parsed(new Section("video", "0", "sendonly", "102 H264/90000"))));
    }

    @Test
    void thePublishersRefusalsKeepTheirWording() {
        assertEquals("cannot take a recvonly video section (mid 0): publish one video and at most one audio section",
                refusal(() -> Negotiation.publisher(parsed(new Section("video", "0", "recvonly", "96 VP8/90000")),
                        VideoCodec.VP8, "live", null)).getMessage());
        assertEquals("the offer's video has no VP8 (this stream's codec)",
                refusal(() -> Negotiation.publisher(parsed(new Section("video", "0", "sendonly", "102 H264/90000")),
                        VideoCodec.VP8, "live", null)).getMessage());
        assertEquals("the offer's audio has no Opus",
                refusal(() -> Negotiation.publisher(parsed(new Section("video", "0", "sendonly", "96 VP8/90000"),
                        new Section("audio", "1", "sendonly", "0 PCMU/8000")), VideoCodec.VP8, "live", null)).getMessage());
        assertEquals("the offer sends no video",
                refusal(() -> Negotiation.publisher(parsed(new Section("audio", "1", "sendonly", "111 opus/48000/2")),
                        VideoCodec.VP8, "live", null)).getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = Negotiation.Offerer.class, names = {"PUBLISHER", "OWNER"})
    void whatSendsTheStreamToTheEdgeIsCheckedTheSameWay(Negotiation.Offerer offerer) {
        Section video = new Section("video", "0", "sendonly", "96 VP8/90000");
        Section audio = new Section("audio", "1", "sendonly", "111 opus/48000/2");
        assertEquals(Negotiation.Reason.DIRECTION, refusal(() -> receive(offerer,
                parsed(video, new Section("audio", "1", "recvonly", "111 opus/48000/2")), VideoCodec.VP8)).reason());
        assertEquals(Negotiation.Reason.DIRECTION, refusal(() -> receive(offerer,
                parsed(new Section("video", "0", "inactive", "96 VP8/90000")), VideoCodec.VP8)).reason());
        assertEquals(Negotiation.Reason.DUPLICATE, refusal(() -> receive(offerer,
                parsed(video, new Section("video", "2", "sendonly", "96 VP8/90000")), VideoCodec.VP8)).reason());
        assertEquals(Negotiation.Reason.DUPLICATE, refusal(() -> receive(offerer, parsed(video, audio, audio), VideoCodec.VP8)).reason());
        assertEquals(Negotiation.Reason.KIND, refusal(() -> receive(offerer,
                parsed(video, new Section("application", "2", "sendrecv", "96 VP8/90000")), VideoCodec.VP8)).reason());
        assertEquals(Negotiation.Reason.CODEC, refusal(() -> receive(offerer, parsed(video, audio), VideoCodec.H264)).reason());
        assertEquals(Negotiation.Reason.NO_VIDEO, refusal(() -> receive(offerer, parsed(audio), VideoCodec.VP8)).reason());
    }

    /** The pull used to take any section in any direction, twice over: it now gets the publisher's checks. */
    @Test
    void anOfferToAViewerAsksForItsReceiversEstimateAnAnswerNever() {
        EdgeSdp sdp = new EdgeSdp("ownr", "0123456789abcdefghijklmn", FINGERPRINT, "127.0.0.1", 10_000,
                Negotiation.offer(VideoCodec.VP8, "live", 1234, 5678));
        String offer = sdp.write();
        assertTrue(offer.contains("a=extmap:3 " + AbsSendTime.URI + "\r\n"), offer);
        assertTrue(offer.contains("a=rtcp-fb:96 goog-remb\r\n"), offer);
        assertEquals(1, offer.split("goog-remb", -1).length - 1, "on the video only");
        PeerSdp read = PeerSdp.parseOffer(offer);
        assertEquals(3, read.media().get(0).extensionId(AbsSendTime.URI), "as a peer reads it");
        assertEquals(0, read.media().get(1).extensionId(AbsSendTime.URI));
        String answer = sdp.writeAnswer();
        assertFalse(answer.contains("extmap") || answer.contains("goog-remb"), "an answer takes the offerer's ids, if any");
        PeerSdp withDirection = PeerSdp.parseOffer(offer.replace("a=extmap:3 ", "a=extmap:7/sendonly "));
        assertEquals(7, withDirection.media().get(0).extensionId(AbsSendTime.URI));
        assertEquals(0, PeerSdp.parseOffer(offer.replace("a=extmap:3 ", "a=extmap:x ")).media().get(0).extensionId(AbsSendTime.URI),
                "an id that is no number is ignored");
    }

    @Test
    void thePullAnswersWhatAnOwnerEdgeOffersAndRefusesWhatItNoLongerCouldTake() {
        String owners = new EdgeSdp("ownr", "0123456789abcdefghijklmn", FINGERPRINT, "127.0.0.1", 10_000,
                Negotiation.offer(VideoCodec.H264, "live", 1234, 5678)).write();
        Negotiation.Answer answer = Negotiation.owner(PeerSdp.parseOffer(owners), VideoCodec.H264, "live");
        assertEquals(List.of(
                new EdgeSdp.Media(EdgeSdp.Kind.VIDEO, "0", EdgeSdp.Direction.RECVONLY, List.of(VideoCodec.H264.sdp()), 0, "live"),
                new EdgeSdp.Media(EdgeSdp.Kind.AUDIO, "1", EdgeSdp.Direction.RECVONLY, List.of(EdgeSdp.Codec.opus()), 0, "live")),
                answer.media(), "the owner's own codecs, received");
        assertEquals("cannot take a recvonly video section (mid 0): the owner must send one video and at most one audio section",
                refusal(() -> Negotiation.owner(PeerSdp.parseOffer(owners.replace("a=sendonly", "a=recvonly")), VideoCodec.H264,
                        "live")).getMessage());
    }

    @Test
    void aSimulcastStreamIsOfferedToAPullAsOneSsrcPerLayerInASimulcastGroup() {
        String owners = new EdgeSdp("ownr", "0123456789abcdefghijklmn", FINGERPRINT, "127.0.0.1", 10_000,
                Negotiation.offer(VideoCodec.VP8, "live", List.of(1, 2, -3), 5678)).write();
        assertTrue(owners.contains("a=ssrc-group:SIM 1 2 4294967293\r\n"), owners);
        PeerSdp offer = PeerSdp.parseOffer(owners);
        assertEquals(3, offer.videoLayers(), "the pulling edge reads three layers");
        assertEquals(1, PeerSdp.parseOffer(new EdgeSdp("ownr", "0123456789abcdefghijklmn", FINGERPRINT, "127.0.0.1", 10_000,
                Negotiation.offer(VideoCodec.VP8, "live", List.of(1), 5678)).write()).videoLayers(), "one SSRC: one encoding");
        Negotiation.owner(offer, VideoCodec.VP8, "live"); // and answers it
    }

    @Test
    void viewersAreOfferedTheStreamsCodecAndOpusSendOnlyWithTheirOwnSsrcs() {
        assertEquals(List.of(
                new EdgeSdp.Media(EdgeSdp.Kind.VIDEO, "0", EdgeSdp.Direction.SENDONLY, List.of(EdgeSdp.Codec.vp8()), 0xFFFFFFFFL, "a-b"),
                new EdgeSdp.Media(EdgeSdp.Kind.AUDIO, "1", EdgeSdp.Direction.SENDONLY, List.of(EdgeSdp.Codec.opus()), 9, "a-b")),
                Negotiation.offer(VideoCodec.VP8, "a-b", -1, 9));
    }

    @Test
    void aWhepPlayerReceivingVideoAndAudioGetsASendOnlyAnswerWithTheViewersSsrcs() {
        PeerSdp offer = parsed(new Section("video", "0", "recvonly", "100 H264/90000"),
                new Section("audio", "1", "sendrecv", "109 opus/48000/2"));
        Negotiation.Answer answer = Negotiation.player(offer, VideoCodec.H264, "live-cam", -2, 7);
        assertEquals(List.of(
                new EdgeSdp.Media(EdgeSdp.Kind.VIDEO, "0", EdgeSdp.Direction.SENDONLY,
                        List.of(new EdgeSdp.Codec(100, "H264", 90_000, null, null)), 0xFFFFFFFEL, "live-cam"),
                new EdgeSdp.Media(EdgeSdp.Kind.AUDIO, "1", EdgeSdp.Direction.SENDONLY,
                        List.of(new EdgeSdp.Codec(109, "opus", 48_000, 2, "minptime=10;useinbandfec=1")), 7, "live-cam")),
                answer.media());
        assertEquals(100, answer.videoType());
    }

    @Test
    void aWhepPlayersRefusalsNameTheSectionAndWhatItShouldOffer() {
        Section video = new Section("video", "0", "recvonly", "96 VP8/90000");
        String expected = "cannot send the video section (mid 0): offer to receive one VP8 video and at most one Opus audio section";
        Negotiation.Rejected sending = refusal(() -> Negotiation.player(parsed(new Section("video", "0", "sendonly", "96 VP8/90000")),
                VideoCodec.VP8, "live", 1, 2));
        assertEquals(Negotiation.Reason.DIRECTION, sending.reason());
        assertEquals(expected, sending.getMessage());
        Negotiation.Rejected noCodec = refusal(() -> Negotiation.player(parsed(new Section("video", "0", "recvonly", "102 H264/90000")),
                VideoCodec.VP8, "live", 1, 2));
        assertEquals(Negotiation.Reason.CODEC, noCodec.reason());
        assertEquals(expected, noCodec.getMessage());
        assertEquals(Negotiation.Reason.DUPLICATE, refusal(() -> Negotiation.player(parsed(video,
                new Section("video", "1", "recvonly", "96 VP8/90000")), VideoCodec.VP8, "live", 1, 2)).reason());
        assertEquals(Negotiation.Reason.KIND, refusal(() -> Negotiation.player(parsed(video,
                new Section("application", "1", "recvonly", "96 VP8/90000")), VideoCodec.VP8, "live", 1, 2)).reason());
        Negotiation.Rejected audioOnly = refusal(() -> Negotiation.player(parsed(new Section("audio", "1", "recvonly", "111 opus/48000/2")),
                VideoCodec.VP8, "live", 1, 2));
        assertEquals(Negotiation.Reason.NO_VIDEO, audioOnly.reason());
        assertEquals("it does not receive video", audioOnly.getMessage());
    }

    @Test
    void aPlayersAnswerMustAcceptTheOfferedVideo() {
        String answer = offer(new Section("video", "0", "recvonly", "96 VP8/90000"), new Section("audio", "1", "recvonly",
                "111 opus/48000/2")).replace("a=setup:actpass", "a=setup:active");
        Negotiation.checkPlayerAnswer(PeerSdp.parse(answer), VideoCodec.VP8);
        assertEquals("the player does not accept H264 video (payload type 102)",
                refusal(() -> Negotiation.checkPlayerAnswer(PeerSdp.parse(answer), VideoCodec.H264)).getMessage());
        assertEquals(Negotiation.Reason.CODEC, refusal(() -> Negotiation.checkPlayerAnswer(
                PeerSdp.parse(answer.replace("m=video 9 ", "m=video 0 ")), VideoCodec.VP8)).reason(), "a rejected video section");
    }

    /** Before any section is looked at: what every offer must carry for ICE and DTLS on one bundled transport. */
    @Test
    void anOfferWithoutUsableTransportIsRefusedBeforeNegotiating() {
        String good = offer(new Section("video", "0", "sendonly", "96 VP8/90000"), new Section("audio", "1", "sendonly",
                "111 opus/48000/2"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PeerSdp.parseOffer(good.replace("a=ice-pwd:", "a=x-pwd:")))
                .getMessage().contains("ICE credentials"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PeerSdp.parseOffer(good.replace("a=ice-ufrag:abcd", "a=ice-ufrag:ab")))
                .getMessage().contains("ICE credentials"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PeerSdp.parseOffer(good.replace("a=fingerprint:", "a=x-fingerprint:")))
                .getMessage().contains("fingerprint"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PeerSdp.parseOffer(good.replace("sha-256 AA", "sha-1 AA")))
                .getMessage().contains("fingerprint"));
        assertEquals("conflicting ice-ufrag values", assertThrows(IllegalArgumentException.class,
                () -> PeerSdp.parseOffer(good.replaceFirst("a=ice-ufrag:abcd", "a=ice-ufrag:wxyz"))).getMessage(),
                "BUNDLE: every section on one transport");
        assertEquals("conflicting fingerprint values", assertThrows(IllegalArgumentException.class,
                () -> PeerSdp.parseOffer(good.replaceFirst("sha-256 AA", "sha-256 BB"))).getMessage());
        assertEquals("a audio section has no a=mid", assertThrows(IllegalArgumentException.class,
                () -> PeerSdp.parseOffer(good.replace("a=mid:1\r\n", ""))).getMessage());
        assertEquals("no media sections", assertThrows(IllegalArgumentException.class,
                () -> PeerSdp.parseOffer(good.substring(0, good.indexOf("m=")) + "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijklmn\r\n"
                        + "a=fingerprint:sha-256 " + FINGERPRINT + "\r\na=setup:actpass\r\n")).getMessage());
    }
}
