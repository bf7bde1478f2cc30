package p2pedge.media.demo;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.SyncClock;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.NativeI420Buffer;
import dev.onvoid.webrtc.media.video.VideoFrame;
import dev.onvoid.webrtc.media.video.VideoTrack;
import p2pedge.config.EdgeConfig.StreamSpec;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The embedded demo stream: a moving test pattern with a frame counter and clock, and a tone that beeps
 * each second, generated inside the edge so it shows something live with no external input.
 * Frames are produced on a dedicated thread, never on a Vert.x thread.
 */
public final class DemoStream implements LiveStream {

    private static final Logger LOG = Logger.getLogger(DemoStream.class.getName());
    private static final int SAMPLE_RATE = 48_000;
    private static final int AUDIO_CHUNK_MS = 10;

    private final String name;
    private final int bitrateKbps;
    private final int layers;
    private final SyncClock clock = new SyncClock();
    private final CustomVideoSource videoSource = new CustomVideoSource(clock);
    private final CustomAudioSource audioSource = new CustomAudioSource(clock);
    private final VideoTrack videoTrack;
    private final AudioTrack audioTrack;
    private final TestPattern pattern;
    private final ToneGenerator tone = new ToneGenerator(SAMPLE_RATE);
    private final ScheduledExecutorService generator;
    /** Held by each audio push and by each change to the audio source's sinks ({@link #whileAudioPaused}). */
    private final Object audioSinks = new Object();
    private long frame;
    private boolean closed;

    public DemoStream(PeerConnectionFactory factory, StreamSpec spec) {
        this.name = spec.name();
        this.bitrateKbps = spec.bitrateKbps();
        this.layers = spec.layers();
        // libwebrtc sends three simulcast layers only from an input of 960x540 up (two from 640x360): with three, the
        // pattern is drawn at 1.5x and every layer scaled down from it, the top one to the configured size.
        int scale = layers == 3 ? 3 : 2;
        this.pattern = new TestPattern(spec.width() * scale / 2 & ~1, spec.height() * scale / 2 & ~1);
        String id = spec.name().replace('/', '-');
        this.videoTrack = factory.createVideoTrack(id + "-video", videoSource);
        this.audioTrack = factory.createAudioTrack(id + "-audio", audioSource);
        this.generator = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "demo-stream-" + id);
            t.setDaemon(true);
            return t;
        });
        long frameNanos = 1_000_000_000L / spec.fps();
        generator.scheduleAtFixedRate(guarded(this::pushVideoFrame), 0, frameNanos, TimeUnit.NANOSECONDS);
        generator.scheduleAtFixedRate(guarded(this::pushAudioChunk), 0, AUDIO_CHUNK_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public VideoTrack videoTrack() {
        return videoTrack;
    }

    @Override
    public AudioTrack audioTrack() {
        return audioTrack;
    }

    private Runnable guarded(Runnable task) {
        // An exception would silently cancel the periodic task and freeze the stream: log and go on.
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "demo stream " + name + ": " + e, e);
            }
        };
    }

    private void pushVideoFrame() {
        NativeI420Buffer buffer = NativeI420Buffer.allocate(pattern.width(), pattern.height());
        pattern.render(frame++, System.currentTimeMillis(), name,
                buffer.getDataY(), buffer.getStrideY(), buffer.getDataU(), buffer.getStrideU(),
                buffer.getDataV(), buffer.getStrideV());
        VideoFrame videoFrame = new VideoFrame(buffer, clock.getTimestampUs() * 1000);
        try {
            videoSource.pushFrame(videoFrame);
        } finally {
            videoFrame.release();
        }
    }

    private void pushAudioChunk() {
        int samples = SAMPLE_RATE * AUDIO_CHUNK_MS / 1000;
        byte[] pcm = tone.next(samples, System.currentTimeMillis());
        synchronized (audioSinks) {
            audioSource.pushAudio(pcm, 16, SAMPLE_RATE, 1, samples);
        }
    }

    @Override
    public <T> T whileAudioPaused(Supplier<T> change) {
        synchronized (audioSinks) {
            return change.get();
        }
    }

    @Override
    public int bitrateKbps() {
        return bitrateKbps;
    }

    @Override
    public int layers() {
        return layers;
    }

    /** How much larger than the configured size the frames are drawn (see the constructor): 1, or 1.5 for three layers. */
    @Override
    public double inputScale() {
        return layers == 3 ? 1.5 : 1;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        generator.shutdownNow();
        try {
            if (!generator.awaitTermination(2, TimeUnit.SECONDS)) {
                LOG.warning("demo stream " + name + ": generator did not stop in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        videoTrack.dispose();
        audioTrack.dispose();
        videoSource.dispose();
        audioSource.dispose();
        clock.dispose();
    }
}
