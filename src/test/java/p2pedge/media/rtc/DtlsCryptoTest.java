package p2pedge.media.rtc;

import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.AEADBlockCipher;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The table-less GCM seals exactly as BouncyCastle's default one (the handshake tests prove it against browsers). */
class DtlsCryptoTest {

    @Test
    void gcmWithoutTablesSealsAsTheDefault() throws Exception {
        Random random = new Random(5);
        byte[] key = new byte[16];
        byte[] nonce = new byte[12];
        byte[] aad = new byte[13];
        byte[] plain = new byte[333];
        for (byte[] b : new byte[][]{key, nonce, aad, plain}) {
            random.nextBytes(b);
        }
        AEADBlockCipher lean = new DtlsCrypto(new SecureRandom()).createGCMMode(AESEngine.newInstance());
        AEADBlockCipher reference = GCMBlockCipher.newInstance(AESEngine.newInstance());
        assertArrayEquals(seal(reference, key, nonce, aad, plain), seal(lean, key, nonce, aad, plain));
    }

    private static byte[] seal(AEADBlockCipher cipher, byte[] key, byte[] nonce, byte[] aad, byte[] plain) throws Exception {
        cipher.init(true, new AEADParameters(new KeyParameter(key), 128, nonce, aad));
        byte[] out = new byte[cipher.getOutputSize(plain.length)];
        int n = cipher.processBytes(plain, 0, plain.length, out, 0);
        cipher.doFinal(out, n);
        return out;
    }
}
