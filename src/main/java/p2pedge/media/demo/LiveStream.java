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

    /** Stops producing and disposes the native tracks and sources, once; no connection may still send them. */
    @Override
    void close();
}
