package p2pedge.media.rtc;

import org.bouncycastle.crypto.BlockCipher;
import org.bouncycastle.crypto.modes.AEADBlockCipher;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.gcm.BasicGCMMultiplier;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

import java.security.SecureRandom;

/**
 * BouncyCastle's TLS crypto for the edge's DTLS, with AES-GCM's multiplication done without tables. Every
 * established association keeps its record layer's read and write ciphers for as long as the viewer stays, and
 * BouncyCastle's default GCM multiplier holds a 256-entry table of its own (about 9 kB of small arrays per cipher);
 * DTLS carries only the handshake's last messages and alerts here (SRTP carries the media), so speed is moot.
 */
public final class DtlsCrypto extends BcTlsCrypto {

    public DtlsCrypto(SecureRandom random) {
        super(random);
    }

    @Override
    protected AEADBlockCipher createGCMMode(BlockCipher cipher) {
        return GCMBlockCipher.newInstance(cipher, new BasicGCMMultiplier());
    }
}
