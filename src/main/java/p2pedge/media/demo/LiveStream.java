package p2pedge.media.demo;

import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.video.VideoTrack;

/** A stream the edge can send: one video and one audio track that viewer connections add as senders. */
public interface LiveStream extends AutoCloseable {

    String name();

    VideoTrack videoTrack();

    AudioTrack audioTrack();

    /** The most a connection may spend on this stream's video. */
    int bitrateKbps();

    /** How many simulcast layers a publisher of this stream encodes (1: one encoding at {@link #bitrateKbps}). */
    default int layers() {
        return 1;
    }

    /** The video track's frame size over the stream's configured size (a publisher scales its top layer down by it). */
    default double inputScale() {
        return 1;
    }

    /** Stops producing and disposes the native tracks and sources, once; no connection may still send them. */
    @Override
    void close();
}
