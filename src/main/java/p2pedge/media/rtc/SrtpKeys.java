package p2pedge.media.rtc;

import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.TlsContext;

import java.util.Arrays;

/**
 * The SRTP master keys a DTLS-SRTP handshake produced (RFC 5764 section 4.2) for its negotiated profile: the
 * client's and the server's key and salt, cut from the exporter output in that order.
 */
public record SrtpKeys(SrtpProfile profile, byte[] clientKey, byte[] serverKey, byte[] clientSalt, byte[] serverSalt) {

    /** The keys of a finished DTLS handshake (RFC 5764 exporter), for the negotiated profile. */
    static SrtpKeys exportedBy(TlsContext context, SrtpProfile profile) {
        return fromExporter(profile, context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, profile.exportLength()));
    }

    public static SrtpKeys fromExporter(SrtpProfile profile, byte[] material) {
        if (material.length != profile.exportLength()) {
            throw new IllegalArgumentException("expected " + profile.exportLength() + " bytes of keying material for " + profile);
        }
        int keyLength = profile.keyLength();
        int saltLength = profile.saltLength();
        int at = 0;
        byte[] clientKey = Arrays.copyOfRange(material, at, at += keyLength);
        byte[] serverKey = Arrays.copyOfRange(material, at, at += keyLength);
        byte[] clientSalt = Arrays.copyOfRange(material, at, at += saltLength);
        byte[] serverSalt = Arrays.copyOfRange(material, at, at + saltLength);
        return new SrtpKeys(profile, clientKey, serverKey, clientSalt, serverSalt);
    }
}
