package p2pedge.media.demo;

/**
 * 16-bit mono PCM: a quiet 440 Hz tone with an 880 Hz beep during the first 100 ms of every wall-clock
 * second, so a listener hears the stream is live and can judge audio/video sync against the clock.
 */
final class ToneGenerator {

    private final int sampleRate;
    private double phase;

    ToneGenerator(int sampleRate) {
        this.sampleRate = sampleRate;
    }

    byte[] next(int samples, long wallClockMillis) {
        boolean beep = wallClockMillis % 1000 < 100;
        double frequency = beep ? 880 : 440;
        double amplitude = beep ? 0.5 : 0.08;
        double step = 2 * Math.PI * frequency / sampleRate;
        byte[] pcm = new byte[samples * 2];
        for (int i = 0; i < samples; i++) {
            short s = (short) (Math.sin(phase) * amplitude * Short.MAX_VALUE);
            pcm[2 * i] = (byte) s;            // little endian
            pcm[2 * i + 1] = (byte) (s >> 8);
            phase += step;
            if (phase > 2 * Math.PI) {
                phase -= 2 * Math.PI;
            }
        }
        return pcm;
    }
}
