package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SdpAnswerTest {

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
        SdpAnswer answer = SdpAnswer.parse(answer("active", FINGERPRINT.toLowerCase()));
        assertEquals("abcd", answer.iceUfrag());
        assertEquals(FINGERPRINT, answer.fingerprint(), "normalised to upper case");
        assertEquals(2, answer.media().size());
        assertEquals(new SdpAnswer.Media("video", "0", "recvonly", List.of(96), false), answer.media().get(0));
        assertEquals(List.of(111), answer.media().get(1).payloadTypes());
    }

    @Test
    void refusesAnswersTheEdgeCannotUse() {
        assertThrows(IllegalArgumentException.class, () -> SdpAnswer.parse("hello"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SdpAnswer.parse(answer("passive", FINGERPRINT)))
                .getMessage().contains("setup"));
        assertThrows(IllegalArgumentException.class, () -> SdpAnswer.parse(answer("active", "00:11")));
        assertThrows(IllegalArgumentException.class, () -> SdpAnswer.parse(answer("active", FINGERPRINT).replace("a=mid:1\r\n", "")));
        assertThrows(IllegalArgumentException.class, () -> SdpAnswer.parse(answer("active", FINGERPRINT).replaceFirst("a=ice-ufrag:abcd", "a=ice-ufrag:wxyz")),
                "BUNDLE: one set of credentials");
        assertThrows(IllegalArgumentException.class, () -> SdpAnswer.parse(answer("active", FINGERPRINT).replace(" 96\r\n", " 996\r\n")));
    }
}
