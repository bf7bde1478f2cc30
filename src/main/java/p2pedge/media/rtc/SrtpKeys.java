package p2pedge.media.rtc;

import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.TlsContext;

import java.util.Arrays;

/**
 * The SRTP master keys a DTLS-SRTP handshake produced (RFC 5764 section 4.2): the client's and the server's
 * key and salt, cut from the exporter output in that order.
 */
public record SrtpKeys(int profile, byte[] clientKey, byte[] serverKey, byte[] clientSalt, byte[] serverSalt) {

    /** SRTP_AES128_CM_HMAC_SHA1_80: 16-byte keys, 14-byte salts. */
    public static final int AES128_CM_HMAC_SHA1_80 = 0x0001;
    static final int KEY_LENGTH = 16;
    static final int SALT_LENGTH = 14;

    public static int exportLength() {
        return 2 * (KEY_LENGTH + SALT_LENGTH);
    }

    /** The keys of a finished DTLS handshake (RFC 5764 exporter), for the negotiated profile. */
    static SrtpKeys exportedBy(TlsContext context, int profile) {
        return fromExporter(profile, context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, exportLength()));
    }

    public static SrtpKeys fromExporter(int profile, byte[] material) {
        if (material.length != exportLength()) {
            throw new IllegalArgumentException("expected " + exportLength() + " bytes of keying material");
        }
        int at = 0;
        byte[] clientKey = Arrays.copyOfRange(material, at, at += KEY_LENGTH);
        byte[] serverKey = Arrays.copyOfRange(material, at, at += KEY_LENGTH);
        byte[] clientSalt = Arrays.copyOfRange(material, at, at += SALT_LENGTH);
        byte[] serverSalt = Arrays.copyOfRange(material, at, at + SALT_LENGTH);
        return new SrtpKeys(profile, clientKey, serverKey, clientSalt, serverSalt);
    }
}
