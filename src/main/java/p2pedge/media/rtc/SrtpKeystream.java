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
 * AES_CM_128_HMAC_SHA1_80 (RFC 3711) for one SSRC of an SRTP or SRTCP stream: the payload XORed with the AES
 * counter-mode keystream, and an 80-bit HMAC-SHA1 tag. One AES (ECB over the packet's counter blocks, in one call: the
 * JCE's counter mode must be initialised again for every packet's IV, which costs more than the encryption) and one
 * HMAC instance. Not thread-safe.
 */
final class SrtpKeystream implements SrtpCrypto {

    static final int AUTH_TAG = 10;
    private static final int BLOCK = 16;
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

    SrtpKeystream(SrtpProfile profile, SrtpKeyDerivation keys, int ssrc) throws GeneralSecurityException {
        this.aes = Cipher.getInstance("AES/ECB/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keys.encryptionKey(profile.keyLength()), "AES"));
        this.hmac = Mac.getInstance("HmacSHA1");
        hmac.init(new SecretKeySpec(keys.authenticationKey(20), "HmacSHA1"));
        byte[] salt = java.util.Arrays.copyOf(keys.salt(profile.saltLength()), BLOCK);
        this.saltHigh = (long) LONGS.get(salt, 0);
        this.saltLow = (long) LONGS.get(salt, 8);
        this.ssrc = ssrc;
    }

    @Override
    public int tagLength() {
        return AUTH_TAG;
    }

    @Override
    public int protectRtp(byte[] packet, int header, int length, byte[] out, int roc) throws GeneralSecurityException {
        System.arraycopy(packet, 0, out, 0, header);
        xor(packet, header, length, out, ((long) roc << 16) | SrtpCrypto.sequence(packet));
        System.arraycopy(tag(out, length, roc), 0, out, length, AUTH_TAG);
        return length + AUTH_TAG;
    }

    @Override
    public boolean unprotectRtp(byte[] packet, int header, int end, byte[] out, int roc) throws GeneralSecurityException {
        if (!sameTag(tag(packet, end, roc), packet, end)) {
            return false;
        }
        System.arraycopy(packet, 0, out, 0, header);
        xor(packet, header, end, out, ((long) roc << 16) | SrtpCrypto.sequence(packet));
        return true;
    }

    /** RFC 3711 section 3.4: everything after the first 8 bytes encrypted, then the E flag with the index, then the tag. */
    @Override
    public byte[] protectRtcp(byte[] packet, int index) throws GeneralSecurityException {
        int length = packet.length;
        byte[] out = new byte[length + 4 + AUTH_TAG];
        System.arraycopy(packet, 0, out, 0, 8);
        xor(packet, 8, length, out, index);
        SrtpCrypto.putInt(out, length, SrtpCrypto.ENCRYPTED | index);
        System.arraycopy(tag(out, length + 4), 0, out, length + 4, AUTH_TAG);
        return out;
    }

    @Override
    public int rtcpTrailer(byte[] packet) {
        return SrtpCrypto.getInt(packet, packet.length - AUTH_TAG - 4);
    }

    @Override
    public byte[] unprotectRtcp(byte[] packet, int trailer) throws GeneralSecurityException {
        int end = packet.length - AUTH_TAG;
        if (!sameTag(tag(packet, end), packet, end)) {
            return null;
        }
        byte[] plain = new byte[end - 4];
        if ((trailer & SrtpCrypto.ENCRYPTED) != 0) {
            System.arraycopy(packet, 0, plain, 0, 8);
            xor(packet, 8, end - 4, plain, trailer & ~SrtpCrypto.ENCRYPTED);
        } else {
            System.arraycopy(packet, 0, plain, 0, plain.length); // authenticated but sent in the clear (E flag 0)
        }
        return plain;
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
        SrtpCrypto.putInt(rocBytes, 0, roc);
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
}
