package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerSdpTest {

    private static final String FINGERPRINT = "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99";

    private static String answer(String setup, String fingerprint) {
        return String.join("\r\n", "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1",
                "m=video 9 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 0.0.0.0", "a=ice-ufrag:abcd", "a=ice-pwd:0123456789abcdefghijklmn",
                "a=fingerprint:sha-256 " + fingerprint, "a=setup:" + setup, "a=mid:0", "a=recvonly", "a=rtcp-mux",
                "a=rtpmap:96 VP8/90000",
                "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=ice-ufrag:abcd", "a=ice-pwd:0123456789abcdefghijklmn",
                "a=fingerprint:sha-256 " + fingerprint, "a=setup:" + setup, "a=mid:1", "a=recvonly", "a=rtpmap:111 opus/48000/2", "");
    }

    @Test
    void readsWhatTheForwarderNeeds() {
        PeerSdp answer = PeerSdp.parse(answer("active", FINGERPRINT.toLowerCase()));
        assertEquals("abcd", answer.iceUfrag());
        assertEquals(FINGERPRINT, answer.fingerprint(), "normalised to upper case");
        assertEquals(2, answer.media().size());
        assertEquals(new PeerSdp.Media("video", "0", "recvonly", List.of(96), false, java.util.Map.of(96, "VP8/90000"),
                java.util.Map.of(), java.util.Map.of()), answer.media().get(0));
        assertEquals(java.util.Optional.of(111), answer.media().get(1).payloadTypeOf("OPUS"));
        assertEquals(List.of(111), answer.media().get(1).payloadTypes());
    }

    @Test
    void aPublishersOfferMayLeaveTheDtlsRoleToTheEdge() {
        PeerSdp offer = PeerSdp.parseOffer(answer("actpass", FINGERPRINT).replace("a=recvonly", "a=sendonly"));
        assertEquals("sendonly", offer.media().get(0).direction());
        assertThrows(IllegalArgumentException.class, () -> PeerSdp.parseOffer(answer("passive", FINGERPRINT)),
                "the edge is always the DTLS server");
        assertThrows(IllegalArgumentException.class, () -> PeerSdp.parse(answer("actpass", FINGERPRINT)),
                "an answer cannot leave the role open");
    }

    @Test
    void refusesAnswersTheEdgeCannotUse() {
        assertThrows(IllegalArgumentException.class, () -> PeerSdp.parse("hello"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PeerSdp.parse(answer("passive", FINGERPRINT)))
                .getMessage().contains("setup"));
        assertThrows(IllegalArgumentException.class, () -> PeerSdp.parse(answer("active", "00:11")));
        assertThrows(IllegalArgumentException.class, () -> PeerSdp.parse(answer("active", FINGERPRINT).replace("a=mid:1\r\n", "")));
        assertThrows(IllegalArgumentException.class, () -> PeerSdp.parse(answer("active", FINGERPRINT).replaceFirst("a=ice-ufrag:abcd", "a=ice-ufrag:wxyz")),
                "BUNDLE: one set of credentials");
        assertThrows(IllegalArgumentException.class, () -> PeerSdp.parse(answer("active", FINGERPRINT).replace(" 96\r\n", " 996\r\n")));
    }

    private static String publisherOffer(String... videoLines) {
        return answer("actpass", FINGERPRINT).replace("a=recvonly", "a=sendonly")
                .replace("a=rtpmap:96 VP8/90000", String.join("\r\n", videoLines) + "\r\na=rtpmap:96 VP8/90000");
    }

    @Test
    void readsARidSimulcastInItsDeclaredOrder() {
        PeerSdp offer = PeerSdp.parseOffer(publisherOffer("a=rid:q send", "a=rid:h send", "a=rid:f send max-width=1280",
                "a=rid:x recv", "a=simulcast:send q;~h;f,x"));
        assertEquals(new PeerSdp.Simulcast(List.of("q", "h", "f"), List.of()), offer.media().get(0).simulcast());
        assertTrue(offer.media().get(0).simulcast().layered());
        assertEquals(PeerSdp.Simulcast.NONE, offer.media().get(1).simulcast());
    }

    @Test
    void readsLibwebrtcsSimGroup() {
        PeerSdp offer = PeerSdp.parseOffer(publisherOffer("a=ssrc-group:SIM 11 22 4294967295"));
        assertEquals(List.of(11L, 22L, 4294967295L), offer.media().get(0).simulcast().ssrcs());
    }

    @Test
    void refusesSimulcastItCannotUse() {
        assertThrows(IllegalArgumentException.class, () -> PeerSdp.parseOffer(publisherOffer("a=rid:q send", "a=simulcast:send q;h")),
                "h has no a=rid");
        assertThrows(IllegalArgumentException.class, () -> PeerSdp.parseOffer(publisherOffer("a=rid:q!x send")));
        assertThrows(IllegalArgumentException.class, () -> PeerSdp.parseOffer(publisherOffer("a=rid:a send", "a=rid:b send",
                "a=rid:c send", "a=rid:d send", "a=rid:e send")), "at most " + PeerSdp.MAX_LAYERS);
        assertThrows(IllegalArgumentException.class, () -> PeerSdp.parseOffer(publisherOffer("a=ssrc-group:SIM 1 2 3 4 5")));
        assertThrows(IllegalArgumentException.class, () -> PeerSdp.parseOffer(publisherOffer("a=ssrc-group:SIM 1 -2")));
        assertThrows(IllegalArgumentException.class, () -> PeerSdp.parseOffer(publisherOffer("a=ssrc-group:SIM 1 4294967296")));
    }
}
