package p2pedge.media.rtc;

import java.util.function.Consumer;

/**
 * What the shared port knows of one viewer's media session: the ICE credentials the edge offered, the DTLS
 * fingerprint the viewer answered with, and who receives the SRTP keys once the handshake is done.
 */
public record MediaSession(String localUfrag, String password, String remoteFingerprint, Consumer<SrtpKeys> onSecured) {
}
