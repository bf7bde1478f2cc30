package p2pedge.media.demo;

import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.video.VideoTrack;

import java.util.function.Supplier;

/** A stream the edge can send: one video and one audio track that viewer connections add as senders. */
public interface LiveStream extends AutoCloseable {

    String name();

    VideoTrack videoTrack();

    AudioTrack audioTrack();

    /**
     * Runs a change that may attach the audio track to a sender or detach it (addTrack, removeTrack, an answer that
     * rejects the audio, a connection's close) while no audio is being pushed. webrtc-java's CustomAudioSource walks
     * its sinks without a lock on the pushing thread while libwebrtc's signaling thread adds and removes them: the
     * two overlapping crash the JVM (SIGSEGV in CustomAudioSource::PushAudioData). Only the native calls that run
     * the change synchronously are covered, which is every one the edge makes with its operations chain idle.
     */
    <T> T whileAudioPaused(Supplier<T> change);

    /** {@link #whileAudioPaused(Supplier)} for a change with no result. */
    default void whileAudioPaused(Runnable change) {
        whileAudioPaused(() -> {
            change.run();
            return null;
        });
    }

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
