package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SrtpProfileTest {

    private static final SrtpProfile GCM = SrtpProfile.AEAD_AES_128_GCM;
    private static final SrtpProfile CM = SrtpProfile.AES_CM_128_HMAC_SHA1_80;

    @Test
    void theEdgesPreferenceDecidesNotTheOrderOfTheOffer() {
        int[] chrome = {0x0001, 0x0008, 0x0007}; // what Chromium offered the edge, in its order
        assertEquals(Optional.of(GCM), SrtpProfile.choose(SrtpProfile.PREFERENCE, chrome));
        assertEquals(Optional.of(CM), SrtpProfile.choose(List.of(CM, GCM), chrome));
        assertEquals(Optional.of(CM), SrtpProfile.choose(SrtpProfile.PREFERENCE, new int[]{0x0002, 0x0001}));
        assertEquals(Optional.empty(), SrtpProfile.choose(List.of(GCM), new int[]{0x0001, 0x0002}), "nothing in common");
        assertEquals(Optional.empty(), SrtpProfile.choose(SrtpProfile.PREFERENCE, new int[0]));
    }

    @Test
    void keyingMaterialIsCutByTheProfilesLengths() {
        assertEquals(60, CM.exportLength());
        assertEquals(56, GCM.exportLength());
        byte[] material = new byte[56];
        for (int i = 0; i < material.length; i++) {
            material[i] = (byte) i;
        }
        SrtpKeys keys = SrtpKeys.fromExporter(GCM, material);
        assertEquals(16, keys.serverKey()[0]);
        assertEquals(32, keys.clientSalt()[0]);
        assertEquals(44, keys.serverSalt()[0]);
        assertEquals(12, keys.serverSalt().length);
        assertThrows(IllegalArgumentException.class, () -> SrtpKeys.fromExporter(CM, material));
    }

    @Test
    void aConfiguredNameIsReadOrRefusedNamingTheKey() {
        assertEquals(GCM, SrtpProfile.named("k", " aead_aes_128_gcm "));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> SrtpProfile.named("media.forwarder.srtpProfiles", "AEAD_AES_256_GCM"));
        assertTrue(refused.getMessage().startsWith("config key 'media.forwarder.srtpProfiles' names an unknown SRTP profile"),
                refused.getMessage());
    }
}
