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
 * SRTP protection of the RTP of one SSRC the edge sends, AES_CM_128_HMAC_SHA1_80 (RFC 3711), made for the fan-out:
 * session keys derived once, one AES and one HMAC instance initialised once (the JCE's counter mode must be
 * initialised again for every packet's IV, which cost more than the encryption), the keystream made by encrypting
 * the packet's counter blocks in one call, and one allocation per packet (the protected packet itself). It produces
 * the same bytes as jitsi-srtp's sender context, which the edge still uses to receive and for SRTCP
 * (SrtpSenderTest holds the two side by side). Not thread-safe.
 */
final class SrtpSender {

    static final int AUTH_TAG = 10;
    private static final int BLOCK = 16;
    private static final int LABEL_ENCRYPTION = 0;
    private static final int LABEL_AUTHENTICATION = 1;
    private static final int LABEL_SALT = 2;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final Cipher aes;
    private final Mac hmac;
    /** The session salt as the IV's two halves (its 112 bits, then 16 zero bits for the block counter). */
    private final long saltHigh;
    private final long saltLow;
    private final int ssrc;
    /** The rollover counter and the highest sequence number sent (RFC 3711 section 3.3.1). */
    private int roc;
    private int highest = -1;
    private byte[] counters = new byte[0];
    private byte[] keystream = new byte[0];
    private final byte[] rocBytes = new byte[4];
    private final byte[] digest = new byte[20];

    SrtpSender(byte[] masterKey, byte[] masterSalt, int ssrc) throws GeneralSecurityException {
        Cipher master = Cipher.getInstance("AES/ECB/NoPadding");
        master.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(masterKey, "AES"));
        this.aes = Cipher.getInstance("AES/ECB/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(derive(master, masterSalt, LABEL_ENCRYPTION, 16), "AES"));
        this.hmac = Mac.getInstance("HmacSHA1");
        hmac.init(new SecretKeySpec(derive(master, masterSalt, LABEL_AUTHENTICATION, 20), "HmacSHA1"));
        byte[] salt = java.util.Arrays.copyOf(derive(master, masterSalt, LABEL_SALT, 14), BLOCK);
        this.saltHigh = (long) LONGS.get(salt, 0);
        this.saltLow = (long) LONGS.get(salt, 8);
        this.ssrc = ssrc;
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

    /** {@code packet} (plain RTP, this sender's SSRC) encrypted and authenticated: a new array, the tag appended. */
    byte[] protect(byte[] packet) throws GeneralSecurityException {
        int header = HeaderExtensions.blockEnd(packet); // fixed header, CSRCs and extension stay in the clear
        if (header < 0) {
            throw new GeneralSecurityException("RTP header beyond the packet");
        }
        int sequence = ((packet[2] & 0xFF) << 8) | (packet[3] & 0xFF);
        int guessedRoc = guessRoc(sequence);
        byte[] out = new byte[packet.length + AUTH_TAG];
        System.arraycopy(packet, 0, out, 0, header);
        encrypt(packet, header, out, ((long) guessedRoc << 16) | sequence);
        rocBytes[0] = (byte) (guessedRoc >>> 24);
        rocBytes[1] = (byte) (guessedRoc >>> 16);
        rocBytes[2] = (byte) (guessedRoc >>> 8);
        rocBytes[3] = (byte) guessedRoc;
        hmac.update(out, 0, packet.length);
        hmac.update(rocBytes);
        try {
            hmac.doFinal(digest, 0);
        } catch (ShortBufferException e) {
            throw new GeneralSecurityException(e);
        }
        System.arraycopy(digest, 0, out, packet.length, AUTH_TAG);
        remember(sequence, guessedRoc);
        return out;
    }

    /** The payload from {@code from} XORed with the keystream of packet index {@code index}, into {@code out}. */
    private void encrypt(byte[] packet, int from, byte[] out, long index) throws GeneralSecurityException {
        int length = packet.length - from;
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
            LONGS.set(out, from + i, (long) LONGS.get(packet, from + i) ^ (long) LONGS.get(keystream, i));
        }
        for (; i < length; i++) {
            out[from + i] = (byte) (packet[from + i] ^ keystream[i]);
        }
    }

    /** The rollover counter this sequence number belongs to, judged from the highest one sent (RFC 3711 appendix A). */
    private int guessRoc(int sequence) {
        if (highest < 0) {
            return roc;
        }
        if (highest < 32_768) {
            return sequence - highest > 32_768 ? roc - 1 : roc;
        }
        return highest - 32_768 > sequence ? roc + 1 : roc;
    }

    private void remember(int sequence, int guessedRoc) {
        if (highest < 0 || guessedRoc > roc) {
            roc = guessedRoc;
            highest = sequence;
        } else if (guessedRoc == roc && sequence > highest) {
            highest = sequence;
        }
    }
}
