package p2pedge.media.rtc;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The DTLS-SRTP protection profiles the edge speaks (RFC 5764 use_srtp; the ids are IANA's). AEAD_AES_128_GCM
 * (RFC 7714) encrypts and authenticates in one AES-GCM pass, with the JCE's AES and GHASH intrinsics: less CPU per
 * packet than AES-CM with HMAC-SHA1 (bench/forwarder-path.sh, stages srtp and gcm), for the edge's fan-out and for
 * every viewer. Chrome and libwebrtc offer both.
 */
public enum SrtpProfile {

    /** RFC 3711's default: AES counter mode and an 80-bit HMAC-SHA1 tag; 16-byte keys, 14-byte salts. */
    AES_CM_128_HMAC_SHA1_80(0x0001, 16, 14, 10),
    /** RFC 7714: AES-128 in Galois/counter mode, a 128-bit tag; 16-byte keys, 12-byte salts. */
    AEAD_AES_128_GCM(0x0007, 16, 12, 16);

    /** What the edge picks from a peer's offer, and offers, first to last, unless configured otherwise. */
    public static final List<SrtpProfile> PREFERENCE = List.of(AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80);
    /** The longest tag of any profile: room enough in a buffer for any protected packet. */
    public static final int MAX_TAG = 16;

    private final int id;
    private final int keyLength;
    private final int saltLength;
    private final int tagLength;

    SrtpProfile(int id, int keyLength, int saltLength, int tagLength) {
        this.id = id;
        this.keyLength = keyLength;
        this.saltLength = saltLength;
        this.tagLength = tagLength;
    }

    public int id() {
        return id;
    }

    int keyLength() {
        return keyLength;
    }

    int saltLength() {
        return saltLength;
    }

    /** Bytes an SRTP packet gains when protected. */
    public int tagLength() {
        return tagLength;
    }

    /** The keying material a DTLS handshake exports for it: both keys, then both salts (RFC 5764 section 4.2). */
    public int exportLength() {
        return 2 * (keyLength + saltLength);
    }

    /** A profile by its RFC name, as the config key {@code key} gives it; an error naming the key for any other. */
    public static SrtpProfile named(String key, String name) {
        for (SrtpProfile profile : values()) {
            if (profile.name().equals(name.trim().toUpperCase(Locale.ROOT))) {
                return profile;
            }
        }
        throw new IllegalArgumentException("config key '" + key + "' names an unknown SRTP profile '" + name + "' (known: "
                + java.util.Arrays.toString(values()) + ")");
    }

    /** The first of {@code preference} that {@code offered} (a peer's use_srtp ids) holds. */
    public static Optional<SrtpProfile> choose(List<SrtpProfile> preference, int[] offered) {
        for (SrtpProfile profile : preference) {
            for (int id : offered) {
                if (id == profile.id) {
                    return Optional.of(profile);
                }
            }
        }
        return Optional.empty();
    }
}
