package p2pedge.media.demo;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.AudioDeviceModule;
import dev.onvoid.webrtc.media.audio.AudioLayer;
import dev.onvoid.webrtc.media.audio.AudioTrackSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import p2pedge.config.EdgeConfig.Codec;
import p2pedge.config.EdgeConfig.StreamSpec;
import p2pedge.testing.Waits;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo's audio source and the changes to its sinks never overlap. webrtc-java's CustomAudioSource walks its
 * sinks unguarded on the pushing thread; a sink added meanwhile may move the list and the walk goes on in freed
 * memory: the JVM died of it in CI (SIGSEGV in CustomAudioSource::PushAudioData while webrtc-java viewers joined).
 * Without {@link LiveStream#whileAudioPaused} around the changes, the second test kills its JVM in its first round.
 */
@Tag("media")
class DemoStreamAudioSinksTest {

    private static final StreamSpec SPEC = new StreamSpec("app/stream", "demo", 320, 180, 30, 300, Codec.VP8, 1, 0);

    private static AudioDeviceModule audio;
    private static PeerConnectionFactory factory;

    @BeforeAll
    static void start() {
        audio = new AudioDeviceModule(AudioLayer.kDummyAudio);
        factory = new PeerConnectionFactory(audio);
    }

    @AfterAll
    static void stop() {
        factory.dispose();
        audio.dispose();
    }

    @Test
    void noAudioIsPushedWhileAChangeRuns() throws Exception {
        DemoStream stream = new DemoStream(factory, SPEC);
        AtomicLong pushes = new AtomicLong();
        AudioTrackSink counter = (data, bits, rate, channels, frames) -> pushes.incrementAndGet();
        try {
            change(stream, () -> stream.audioTrack().addSink(counter));
            Waits.until(() -> pushes.get() >= 5, 5_000, "the demo pushes audio every 10 ms");
            long[] during = stream.whileAudioPaused(() -> {
                long before = pushes.get();
                sleep(150);
                return new long[] {before, pushes.get()};
            });
            assertEquals(during[0], during[1], "audio pushed while a change to the sinks ran");
            Waits.until(() -> pushes.get() >= during[1] + 5, 5_000, "pushes resume after the change");
        } finally {
            change(stream, () -> stream.audioTrack().removeSink(counter));
            stream.close();
        }
    }

    @Test
    void sinksAddedAndRemovedUnderASlowSinkLeaveTheJvmStanding() {
        AtomicLong slowCalls = new AtomicLong();
        // Half of every 10 ms inside a sink: a change that did not wait for the push would land in the walk.
        AudioTrackSink slow = (data, bits, rate, channels, frames) -> {
            slowCalls.incrementAndGet();
            sleep(5);
        };
        int rounds = 10;
        long deadline = System.nanoTime() + 20_000_000_000L;
        for (int round = 0; round < rounds && System.nanoTime() < deadline; round++) {
            // A fresh source each round: its sink list grows (and moves) again from one entry to 17.
            DemoStream stream = new DemoStream(factory, SPEC);
            List<AudioTrackSink> added = new ArrayList<>();
            try {
                change(stream, () -> stream.audioTrack().addSink(slow));
                long first = slowCalls.get();
                Waits.until(() -> slowCalls.get() > first, 5_000, "the slow sink is being pushed to");
                for (int i = 0; i < 16; i++) {
                    // Each add lands just after a push began its walk, with the slow sink first: the adds that
                    // outgrow the list (to 3, 5, 9 and 17 entries) move it from under the walk.
                    long seen = slowCalls.get();
                    Waits.until(() -> slowCalls.get() > seen, 5_000, "a push begins");
                    AudioTrackSink sink = (data, bits, rate, channels, frames) -> { };
                    change(stream, () -> stream.audioTrack().addSink(sink));
                    added.add(sink);
                }
                for (AudioTrackSink sink : added) {
                    change(stream, () -> stream.audioTrack().removeSink(sink));
                }
                long pushed = slowCalls.get();
                Waits.until(() -> slowCalls.get() > pushed, 5_000, "pushes go on after the changes");
            } catch (Exception e) {
                throw new AssertionError(e);
            } finally {
                change(stream, () -> stream.audioTrack().removeSink(slow));
                stream.close();
            }
        }
        assertTrue(slowCalls.get() > rounds, "the slow sink took " + slowCalls.get() + " pushes");
    }

    private static void change(LiveStream stream, Runnable change) {
        stream.whileAudioPaused(() -> {
            change.run();
            return null;
        });
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
