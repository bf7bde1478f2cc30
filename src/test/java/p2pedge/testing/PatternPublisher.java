package p2pedge.testing;

import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.NativeI420Buffer;
import dev.onvoid.webrtc.media.video.VideoFrame;
import p2pedge.media.demo.TestPattern;

/** Feeds a webrtc-java video source with numbered test-pattern frames at about 30 fps, on its own thread, for a bounded count. */
public final class PatternPublisher implements AutoCloseable {

    private final Thread thread;
    /** Frame number -> when it was handed to the encoder (System.nanoTime). */
    private final java.util.Map<Long, Long> pushedAt = new java.util.concurrent.ConcurrentHashMap<>();

    public PatternPublisher(CustomVideoSource source, int width, int height, int frames, String label) {
        TestPattern pattern = new TestPattern(width, height);
        thread = new Thread(() -> {
            for (int frame = 0; frame < frames && !Thread.currentThread().isInterrupted(); frame++) {
                NativeI420Buffer buffer = NativeI420Buffer.allocate(width, height);
                pattern.render(frame, System.currentTimeMillis(), label, buffer.getDataY(), buffer.getStrideY(),
                        buffer.getDataU(), buffer.getStrideU(), buffer.getDataV(), buffer.getStrideV());
                VideoFrame videoFrame = new VideoFrame(buffer, System.nanoTime());
                pushedAt.put((long) frame, System.nanoTime());
                source.pushFrame(videoFrame);
                videoFrame.release();
                try {
                    Thread.sleep(33);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "test-publisher");
        thread.start();
    }

    /** When each frame was pushed to the encoder (System.nanoTime). */
    public java.util.Map<Long, Long> pushedAt() {
        return pushedAt;
    }

    /**
     * Glass-to-glass latency of the frames a viewer decoded: publisher push (before encoding) to the viewer's
     * decoded picture, in ms, sorted; same process, same clock.
     */
    public double[] latenciesMillis(java.util.Map<Long, Long> decodedAt) {
        return decodedAt.entrySet().stream().filter(e -> pushedAt.containsKey(e.getKey()))
                .mapToDouble(e -> (e.getValue() - pushedAt.get(e.getKey())) / 1e6).sorted().toArray();
    }

    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join(2_000);
    }
}
