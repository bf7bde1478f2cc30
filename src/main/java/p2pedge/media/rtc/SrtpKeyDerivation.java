package p2pedge.media.rtc;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * The AES-CM key derivation of RFC 3711 section 4.3 (key derivation rate 0), which RFC 7714 keeps for AES-GCM: each
 * session key or salt is the master key's AES counter-mode keystream at the master salt XOR its label. A 12-byte
 * master salt (GCM's) takes the 14-byte place zero-padded, as libsrtp does.
 */
final class SrtpKeyDerivation {

    private static final int BLOCK = 16;

    private final Cipher master;
    private final byte[] masterSalt;
    private final int labels;

    /** @param labels the first of the stream's three labels ({@link SrtpCrypto#LABELS_RTP} or {@link SrtpCrypto#LABELS_RTCP}) */
    SrtpKeyDerivation(byte[] masterKey, byte[] masterSalt, int labels) throws GeneralSecurityException {
        this.master = Cipher.getInstance("AES/ECB/NoPadding");
        master.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(masterKey, "AES"));
        this.masterSalt = masterSalt.clone();
        this.labels = labels;
    }

    byte[] encryptionKey(int length) throws GeneralSecurityException {
        return derive(labels, length);
    }

    byte[] authenticationKey(int length) throws GeneralSecurityException {
        return derive(labels + 1, length);
    }

    byte[] salt(int length) throws GeneralSecurityException {
        return derive(labels + 2, length);
    }

    private byte[] derive(int label, int length) throws GeneralSecurityException {
        byte[] blocks = new byte[(length + BLOCK - 1) / BLOCK * BLOCK];
        for (int b = 0; b < blocks.length / BLOCK; b++) {
            System.arraycopy(masterSalt, 0, blocks, b * BLOCK, masterSalt.length);
            blocks[b * BLOCK + 7] ^= (byte) label; // the label sits 48 bits (the zero index) above a 14-byte salt's end
            blocks[b * BLOCK + 15] = (byte) b;
        }
        return Arrays.copyOf(master.doFinal(blocks), length);
    }
}
