package p2pedge.media.rtc;

import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What the shared port knows of one media session (a viewer or a publisher): the ICE credentials the edge
 * offered, the DTLS fingerprint the peer answered with, who receives the SRTP keys once the handshake is done (on
 * the port's context, the peer's selected address already set; again after a handshake on a new address), and who
 * receives the (still protected) RTP and RTCP datagrams the peer sends.
 */
public record MediaSession(String localUfrag, String password, String remoteFingerprint, Consumer<SrtpKeys> onSecured,
                           BiConsumer<PacketKind, byte[]> onMedia) {

    /** A session that only needs the handshake (media is dropped). */
    public MediaSession(String localUfrag, String password, String remoteFingerprint, Consumer<SrtpKeys> onSecured) {
        this(localUfrag, password, remoteFingerprint, onSecured, (kind, packet) -> { });
    }
}
