package p2pedge.media.rtc;

import java.security.GeneralSecurityException;

/**
 * The per-packet cryptography of one SSRC's SRTP or SRTCP stream under one protection profile, with its session keys
 * derived once (RFC 3711 section 4.3, for both profiles): what sits where in a protected packet and how it is sealed.
 * The index, the rollover counter and replay are the callers' ({@link SrtpSender}, {@link SrtpReceiver},
 * {@link SrtcpSender}, {@link SrtcpReceiver}), the same for every profile. Not thread-safe.
 */
interface SrtpCrypto {

    /** RFC 3711 section 4.3.2: SRTP's labels are 0 (encryption), 1 (authentication) and 2 (salt); SRTCP's 3, 4, 5. */
    int LABELS_RTP = 0;
    int LABELS_RTCP = 3;
    /** The E flag (the packet is encrypted) above SRTCP's 31-bit index. */
    int ENCRYPTED = 0x8000_0000;

    static SrtpCrypto of(SrtpProfile profile, byte[] masterKey, byte[] masterSalt, int ssrc, int labels)
            throws GeneralSecurityException {
        SrtpKeyDerivation keys = new SrtpKeyDerivation(masterKey, masterSalt, labels);
        return switch (profile) {
            case AES_CM_128_HMAC_SHA1_80 -> new SrtpKeystream(profile, keys, ssrc);
            case AEAD_AES_128_GCM -> new SrtpAesGcm(profile, keys, ssrc);
        };
    }

    /** Bytes a packet gains in protection besides SRTCP's index word. */
    int tagLength();

    /**
     * RTP {@code packet[0, length)} (its header, in the clear but authenticated, ends at {@code header}) protected
     * in rollover period {@code roc} into {@code out}; returns the protected length.
     */
    int protectRtp(byte[] packet, int header, int length, byte[] out, int roc) throws GeneralSecurityException;

    /**
     * Whether {@code packet} (protected RTP whose tag starts at {@code end}) authenticates in rollover period
     * {@code roc}; if so the plain packet is in {@code out[0, end)}, and if not {@code out} holds nothing to use.
     */
    boolean unprotectRtp(byte[] packet, int header, int end, byte[] out, int roc) throws GeneralSecurityException;

    /** Compound RTCP {@code packet} encrypted under SRTCP index {@code index}: a new array, with E flag, index and tag. */
    byte[] protectRtcp(byte[] packet, int index) throws GeneralSecurityException;

    /** The word of a protected RTCP packet that holds the E flag and the index (at least 12 + tag bytes long). */
    int rtcpTrailer(byte[] packet);

    /** The plain RTCP of {@code packet}, whose word {@code trailer} was read; null when it fails authentication. */
    byte[] unprotectRtcp(byte[] packet, int trailer) throws GeneralSecurityException;

    /** The sequence number of an RTP packet. */
    static int sequence(byte[] packet) {
        return ((packet[2] & 0xFF) << 8) | (packet[3] & 0xFF);
    }

    static int getInt(byte[] in, int at) {
        return ((in[at] & 0xFF) << 24) | ((in[at + 1] & 0xFF) << 16) | ((in[at + 2] & 0xFF) << 8) | (in[at + 3] & 0xFF);
    }

    static void putInt(byte[] out, int at, int value) {
        out[at] = (byte) (value >>> 24);
        out[at + 1] = (byte) (value >>> 16);
        out[at + 2] = (byte) (value >>> 8);
        out[at + 3] = (byte) value;
    }
}
