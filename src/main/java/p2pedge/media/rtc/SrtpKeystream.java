package p2pedge.media.rtc;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;

/**
 * The session keys of one SSRC of an AES_CM_128_HMAC_SHA1_80 SRTP or SRTCP stream (RFC 3711), and the two things
 * done with them per packet: the payload XORed with the AES counter-mode keystream, and the authentication tag.
 * Derived once; one AES (ECB over the packet's counter blocks, in one call: the JCE's counter mode must be initialised
 * again for every packet's IV, which costs more than the encryption) and one HMAC instance. Shared by
 * {@link SrtpSender}, {@link SrtpReceiver}, {@link SrtcpSender} and {@link SrtcpReceiver}. Not thread-safe.
 */
final class SrtpKeystream {

    static final int AUTH_TAG = 10;
    private static final int BLOCK = 16;
    /** RFC 3711 section 4.3.2: SRTP's labels are 0 (encryption), 1 (authentication) and 2 (salt); SRTCP's 3, 4, 5. */
    private static final int LABELS_RTP = 0;
    private static final int LABELS_RTCP = 3;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final Cipher aes;
    private final Mac hmac;
    /** The session salt as the IV's two halves (its 112 bits, then 16 zero bits for the block counter). */
    private final long saltHigh;
    private final long saltLow;
    private final int ssrc;
    private byte[] counters = new byte[0];
    private byte[] keystream = new byte[0];
    private final byte[] rocBytes = new byte[4];
    private final byte[] digest = new byte[20];

    private SrtpKeystream(byte[] masterKey, byte[] masterSalt, int ssrc, int labels) throws GeneralSecurityException {
        Cipher master = Cipher.getInstance("AES/ECB/NoPadding");
        master.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(masterKey, "AES"));
        this.aes = Cipher.getInstance("AES/ECB/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(derive(master, masterSalt, labels, 16), "AES"));
        this.hmac = Mac.getInstance("HmacSHA1");
        hmac.init(new SecretKeySpec(derive(master, masterSalt, labels + 1, 20), "HmacSHA1"));
        byte[] salt = java.util.Arrays.copyOf(derive(master, masterSalt, labels + 2, 14), BLOCK);
        this.saltHigh = (long) LONGS.get(salt, 0);
        this.saltLow = (long) LONGS.get(salt, 8);
        this.ssrc = ssrc;
    }

    /** The keys of the SRTP (RTP) stream of {@code ssrc}. */
    static SrtpKeystream forRtp(byte[] masterKey, byte[] masterSalt, int ssrc) throws GeneralSecurityException {
        return new SrtpKeystream(masterKey, masterSalt, ssrc, LABELS_RTP);
    }

    /** The keys of the SRTCP stream of {@code ssrc} (the sender SSRC of its compound packets). */
    static SrtpKeystream forRtcp(byte[] masterKey, byte[] masterSalt, int ssrc) throws GeneralSecurityException {
        return new SrtpKeystream(masterKey, masterSalt, ssrc, LABELS_RTCP);
    }

    /** The AES-CM key derivation (RFC 3711 section 4.3, key derivation rate 0): {@code length} bytes for {@code label}. */
    private static byte[] derive(Cipher master, byte[] masterSalt, int label, int length) throws GeneralSecurityException {
        byte[] blocks = new byte[(length + BLOCK - 1) / BLOCK * BLOCK];
        for (int b = 0; b < blocks.length / BLOCK; b++) {
            System.arraycopy(masterSalt, 0, blocks, b * BLOCK, masterSalt.length);
            blocks[b * BLOCK + 7] ^= (byte) label; // the label sits 48 bits (the zero index) above the salt's end
            blocks[b * BLOCK + 15] = (byte) b;
        }
        byte[] out = master.doFinal(blocks);
        return java.util.Arrays.copyOf(out, length);
    }

    /**
     * {@code in[from, to)} XORed with the keystream of packet index {@code index} (SRTP's 48-bit index, or SRTCP's
     * 31-bit one: the IV is built the same way), into {@code out[from, to)}.
     */
    void xor(byte[] in, int from, int to, byte[] out, long index) throws GeneralSecurityException {
        int length = to - from;
        int blocks = (length + BLOCK - 1) / BLOCK;
        if (counters.length < blocks * BLOCK) {
            counters = new byte[blocks * BLOCK];
            keystream = new byte[blocks * BLOCK];
        }
        // IV = salt * 2^16 XOR SSRC * 2^64 XOR index * 2^16; the block counter runs in its low 16 bits.
        long high = saltHigh ^ (ssrc & 0xFFFFFFFFL);
        long low = saltLow ^ (index << 16);
        for (int b = 0; b < blocks; b++) {
            LONGS.set(counters, b * BLOCK, high);
            LONGS.set(counters, b * BLOCK + 8, low | b);
        }
        try {
            aes.update(counters, 0, blocks * BLOCK, keystream, 0);
        } catch (ShortBufferException e) {
            throw new GeneralSecurityException(e);
        }
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            LONGS.set(out, from + i, (long) LONGS.get(in, from + i) ^ (long) LONGS.get(keystream, i));
        }
        for (; i < length; i++) {
            out[from + i] = (byte) (in[from + i] ^ keystream[i]);
        }
    }

    /** The tag of {@code packet[0, length)} in rollover period {@code roc}: the first {@link #AUTH_TAG} bytes returned. */
    byte[] tag(byte[] packet, int length, int roc) throws GeneralSecurityException {
        rocBytes[0] = (byte) (roc >>> 24);
        rocBytes[1] = (byte) (roc >>> 16);
        rocBytes[2] = (byte) (roc >>> 8);
        rocBytes[3] = (byte) roc;
        hmac.update(packet, 0, length);
        hmac.update(rocBytes);
        return digest();
    }

    /**
     * The tag of {@code packet[0, length)} alone: SRTCP's, whose authenticated part already ends with the E flag and
     * the index.
     */
    byte[] tag(byte[] packet, int length) throws GeneralSecurityException {
        hmac.update(packet, 0, length);
        return digest();
    }

    private byte[] digest() throws GeneralSecurityException {
        try {
            hmac.doFinal(digest, 0);
        } catch (ShortBufferException e) {
            throw new GeneralSecurityException(e);
        }
        return digest;
    }

    /** Whether {@code packet[at, at + AUTH_TAG)} is {@code tag}'s start: in constant time, as a tag check must be. */
    static boolean sameTag(byte[] tag, byte[] packet, int at) {
        int difference = 0;
        for (int i = 0; i < AUTH_TAG; i++) {
            difference |= tag[i] ^ packet[at + i];
        }
        return difference == 0;
    }

    /**
     * The rollover counter a sequence number belongs to, judged from the highest one seen ({@code highest} in period
     * {@code roc}, -1 before the first): RFC 3711 section 3.3.1 and appendix A.
     */
    static int guessRoc(int sequence, int highest, int roc) {
        if (highest < 0) {
            return roc;
        }
        if (highest < 32_768) {
            return sequence - highest > 32_768 ? roc - 1 : roc;
        }
        return highest - 32_768 > sequence ? roc + 1 : roc;
    }
}
