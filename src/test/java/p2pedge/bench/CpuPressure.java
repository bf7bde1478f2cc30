package p2pedge.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel's CPU pressure (/proc/pressure/cpu, Linux 4.20+): the share of a window in which at least one runnable
 * task waited for a core. Printed beside latency figures taken on a shared machine, it says how much of their tail
 * was waiting for a CPU rather than work.
 */
final class CpuPressure {

    private static final Path FILE = Path.of("/proc/pressure/cpu");
    private static final Pattern SOME_TOTAL = Pattern.compile("^some .*total=(\\d+)", Pattern.MULTILINE);

    private final long startMicros;
    private final long startNanos;

    private CpuPressure(long startMicros) {
        this.startMicros = startMicros;
        this.startNanos = System.nanoTime();
    }

    /** A window starts now; null when this kernel does not report pressure. */
    static CpuPressure start() {
        long micros = someMicros();
        return micros < 0 ? null : new CpuPressure(micros);
    }

    /** The share (0..1) of the time since {@link #start()} in which some task waited for a CPU. */
    double someShare() {
        double waited = someMicros() - startMicros;
        return waited / ((System.nanoTime() - startNanos) / 1_000.0);
    }

    private static long someMicros() {
        try {
            Matcher some = SOME_TOTAL.matcher(Files.readString(FILE));
            return some.find() ? Long.parseLong(some.group(1)) : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
