package p2pedge.media.rtc;

import java.util.function.Consumer;

/**
 * What the shared port knows of one media session (a viewer or a publisher): the ICE credentials the edge
 * offered, the DTLS fingerprint the peer answered with, who receives the SRTP keys once the handshake is done (on
 * the port's context, the peer's selected address already set; again after a handshake on a new address), and who
 * receives the (still protected) RTP and RTCP datagrams the peer sends, each with the time it was read off its socket.
 * The peer's own ICE credentials (from its session description) let the port check that an address the peer moves to
 * after the handshake is really its own. {@code onChecked} runs once, on the port's context, when the peer's first ICE
 * check with the session's credentials is answered (its DTLS handshake comes next).
 */
public record MediaSession(String localUfrag, String password, String remoteFingerprint, String remoteUfrag,
                           String remotePassword, Consumer<SrtpKeys> onSecured, MediaHandler onMedia, Runnable onChecked) {

    /** A session that need not know when the peer's checks begin. */
    public MediaSession(String localUfrag, String password, String remoteFingerprint, String remoteUfrag,
                        String remotePassword, Consumer<SrtpKeys> onSecured, MediaHandler onMedia) {
        this(localUfrag, password, remoteFingerprint, remoteUfrag, remotePassword, onSecured, onMedia, () -> { });
    }

    /** A session whose peer's ICE credentials are unknown: media never follows the peer to another address. */
    public MediaSession(String localUfrag, String password, String remoteFingerprint, Consumer<SrtpKeys> onSecured,
                        MediaHandler onMedia) {
        this(localUfrag, password, remoteFingerprint, null, null, onSecured, onMedia);
    }

    /** A session that only needs the handshake (media is dropped). */
    public MediaSession(String localUfrag, String password, String remoteFingerprint, Consumer<SrtpKeys> onSecured) {
        this(localUfrag, password, remoteFingerprint, onSecured, (kind, packet, receivedNanos) -> { });
    }

    /** Receives a peer's (still protected) RTP or RTCP datagram, on the port's context. */
    @FunctionalInterface
    public interface MediaHandler {
        /** {@code receivedNanos}: when the datagram (or ICE-TCP frame) was read off its socket ({@link System#nanoTime}). */
        void onMedia(PacketKind kind, byte[] packet, long receivedNanos);
    }
}
