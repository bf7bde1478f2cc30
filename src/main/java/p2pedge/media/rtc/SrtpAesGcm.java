package p2pedge.media.rtc;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;

/**
 * AEAD_AES_128_GCM (RFC 7714) for one SSRC of an SRTP or SRTCP stream: the header (and SRTCP's E flag and index)
 * authenticated as associated data, the payload encrypted, a 128-bit tag; the 96-bit IV is the session salt XOR the
 * SSRC with the packet's index. SRTCP puts its E flag and index after the tag, as libsrtp does. Not thread-safe.
 */
final class SrtpAesGcm implements SrtpCrypto {

    static final int TAG = 16;
    private static final int TAG_BITS = TAG * 8;
    private static final int IV = 12;

    private final Cipher gcm;
    private final SecretKeySpec key;
    private final byte[] salt;
    private final int ssrc;
    private final byte[] iv = new byte[IV];
    /** The IV of the last packet sealed: the JCE refuses to seal twice running under one IV (see {@link #seal}). */
    private final byte[] lastSealed = new byte[IV];
    private boolean sealedAny;
    private final byte[] trailer = new byte[4];

    SrtpAesGcm(SrtpProfile profile, SrtpKeyDerivation keys, int ssrc) throws GeneralSecurityException {
        this.gcm = Cipher.getInstance("AES/GCM/NoPadding");
        this.key = new SecretKeySpec(keys.encryptionKey(profile.keyLength()), "AES");
        this.salt = keys.salt(profile.saltLength());
        this.ssrc = ssrc;
    }

    @Override
    public int tagLength() {
        return TAG;
    }

    @Override
    public int protectRtp(byte[] packet, int header, int length, byte[] out, int roc) throws GeneralSecurityException {
        rtpIv(roc, SrtpCrypto.sequence(packet));
        seal();
        gcm.updateAAD(packet, 0, header);
        System.arraycopy(packet, 0, out, 0, header);
        return header + gcm.doFinal(packet, header, length - header, out, header);
    }

    @Override
    public boolean unprotectRtp(byte[] packet, int header, int end, byte[] out, int roc) throws GeneralSecurityException {
        rtpIv(roc, SrtpCrypto.sequence(packet));
        gcm.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
        gcm.updateAAD(packet, 0, header);
        try {
            gcm.doFinal(packet, header, end + TAG - header, out, header);
        } catch (AEADBadTagException e) {
            return false;
        }
        System.arraycopy(packet, 0, out, 0, header);
        return true;
    }

    @Override
    public byte[] protectRtcp(byte[] packet, int index) throws GeneralSecurityException {
        int length = packet.length;
        byte[] out = new byte[length + TAG + 4];
        int word = SrtpCrypto.ENCRYPTED | index;
        SrtpCrypto.putInt(trailer, 0, word);
        rtcpIv(index);
        seal();
        gcm.updateAAD(packet, 0, 8);
        gcm.updateAAD(trailer);
        System.arraycopy(packet, 0, out, 0, 8);
        gcm.doFinal(packet, 8, length - 8, out, 8);
        SrtpCrypto.putInt(out, length + TAG, word);
        return out;
    }

    @Override
    public int rtcpTrailer(byte[] packet) {
        return SrtpCrypto.getInt(packet, packet.length - 4);
    }

    @Override
    public byte[] unprotectRtcp(byte[] packet, int word) throws GeneralSecurityException {
        int end = packet.length - 4; // the ciphertext and its tag end where the E flag and index begin
        rtcpIv(word & ~SrtpCrypto.ENCRYPTED);
        SrtpCrypto.putInt(trailer, 0, word);
        gcm.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
        byte[] plain = new byte[end - TAG];
        try {
            if ((word & SrtpCrypto.ENCRYPTED) != 0) {
                gcm.updateAAD(packet, 0, 8);
                gcm.updateAAD(trailer);
                gcm.doFinal(packet, 8, end - 8, plain, 8);
                System.arraycopy(packet, 0, plain, 0, 8);
            } else {
                // Sent in the clear (E flag 0): the whole packet is associated data, the tag is all that is sealed.
                gcm.updateAAD(packet, 0, end - TAG);
                gcm.updateAAD(trailer);
                gcm.doFinal(packet, end - TAG, TAG, plain, 0);
                System.arraycopy(packet, 0, plain, 0, plain.length);
            }
        } catch (AEADBadTagException e) {
            return null;
        }
        return plain;
    }

    /** SRTP's IV: 00 00, SSRC, ROC, SEQ, XOR the salt. */
    private void rtpIv(int roc, int sequence) {
        iv[0] = 0;
        iv[1] = 0;
        SrtpCrypto.putInt(iv, 2, ssrc);
        SrtpCrypto.putInt(iv, 6, roc);
        iv[10] = (byte) (sequence >>> 8);
        iv[11] = (byte) sequence;
        salted();
    }

    /** SRTCP's IV: 00 00, SSRC, 00 00, the 31-bit SRTCP index, XOR the salt. */
    private void rtcpIv(int index) {
        iv[0] = 0;
        iv[1] = 0;
        SrtpCrypto.putInt(iv, 2, ssrc);
        iv[6] = 0;
        iv[7] = 0;
        SrtpCrypto.putInt(iv, 8, index);
        salted();
    }

    private void salted() {
        for (int i = 0; i < IV; i++) {
            iv[i] ^= salt[i];
        }
    }

    /**
     * The cipher set to seal under {@link #iv}. A retransmission seals a packet again under its own index: the same
     * bytes under the same IV give the same output, but the JCE, guarding against a reused nonce, refuses an IV equal
     * to the one before; then it is first set under another IV, which seals nothing.
     */
    private void seal() throws GeneralSecurityException {
        if (sealedAny && java.util.Arrays.equals(iv, lastSealed)) {
            byte[] other = iv.clone();
            other[0] ^= 1; // the top IV byte is the salt's alone, never an SSRC's or an index's: an IV never used
            gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, other));
        }
        gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
        System.arraycopy(iv, 0, lastSealed, 0, IV);
        sealedAny = true;
    }
}
