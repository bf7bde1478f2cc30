package p2pedge.testing;

import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.NativeI420Buffer;
import dev.onvoid.webrtc.media.video.VideoFrame;
import p2pedge.media.demo.TestPattern;

/** Feeds a webrtc-java video source with numbered test-pattern frames at about 30 fps, on its own thread, for a bounded count. */
public final class PatternPublisher implements AutoCloseable {

    private final Thread thread;

    public PatternPublisher(CustomVideoSource source, int width, int height, int frames, String label) {
        TestPattern pattern = new TestPattern(width, height);
        thread = new Thread(() -> {
            for (int frame = 0; frame < frames && !Thread.currentThread().isInterrupted(); frame++) {
                NativeI420Buffer buffer = NativeI420Buffer.allocate(width, height);
                pattern.render(frame, System.currentTimeMillis(), label, buffer.getDataY(), buffer.getStrideY(),
                        buffer.getDataU(), buffer.getStrideU(), buffer.getDataV(), buffer.getStrideV());
                VideoFrame videoFrame = new VideoFrame(buffer, System.nanoTime());
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

    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join(2_000);
    }
}
