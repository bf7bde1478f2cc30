package p2pedge.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How cores spent a window, from /proc/stat: user and system time (every process on them), the kernel's softirq time
 * and idle. Softirq (the kernel's packet work: on loopback the receive half of each datagram sent) is in a process' own
 * CPU (/proc/PID/stat) only when it ran inside that process' system call, so a core can be busier than its process.
 */
final class CoreTime {

    /** Per core: user, nice, system, idle, iowait, irq, softirq, steal (clock ticks). */
    private final Map<Integer, long[]> start;
    private final TreeSet<Integer> cores;

    private CoreTime(TreeSet<Integer> cores, Map<Integer, long[]> start) {
        this.cores = cores;
        this.start = start;
    }

    /** The window starts now, over the cores of taskset's {@code list} ("0", "0,1", "0-1"; empty: every core). */
    static CoreTime start(String list) throws IOException {
        Map<Integer, long[]> now = read();
        return new CoreTime(list.isBlank() ? new TreeSet<>(now.keySet()) : parse(list), now);
    }

    /** "core 0: busy 98.1% (user 40.2%, system 36.0%, softirq 21.9%), idle 1.9%; ..." since the start. */
    String summary() throws IOException {
        Map<Integer, long[]> now = read();
        List<String> parts = new ArrayList<>();
        for (int core : cores) {
            long[] was = start.get(core);
            long[] is = now.get(core);
            if (was == null || is == null) {
                continue;
            }
            long[] d = new long[8];
            long total = 0;
            for (int i = 0; i < d.length; i++) {
                d[i] = is[i] - was[i];
                total += d[i];
            }
            if (total <= 0) {
                continue;
            }
            double t = total;
            long idle = d[3] + d[4];
            parts.add(String.format(Locale.ROOT, "core %d: busy %.1f%% (user %.1f%%, system %.1f%%, softirq %.1f%%%s), idle %.1f%%",
                    core, 100 * (total - idle) / t, 100 * (d[0] + d[1]) / t, 100 * d[2] / t, 100 * d[6] / t,
                    d[7] > 0 ? String.format(Locale.ROOT, ", stolen %.1f%%", 100 * d[7] / t) : "", 100 * idle / t));
        }
        return String.join("; ", parts);
    }

    static TreeSet<Integer> parse(String list) {
        TreeSet<Integer> cores = new TreeSet<>();
        for (String part : list.trim().split(",")) {
            String[] range = part.trim().split("-");
            int from = Integer.parseInt(range[0].trim());
            int to = range.length > 1 ? Integer.parseInt(range[1].trim()) : from;
            for (int core = from; core <= to; core++) {
                cores.add(core);
            }
        }
        return cores;
    }

    private static Map<Integer, long[]> read() throws IOException {
        Map<Integer, long[]> cores = new TreeMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
            if (!line.startsWith("cpu") || line.startsWith("cpu ")) {
                continue;
            }
            String[] fields = line.trim().split("\\s+");
            long[] ticks = new long[8];
            for (int i = 0; i < ticks.length && i + 1 < fields.length; i++) {
                ticks[i] = Long.parseLong(fields[i + 1]);
            }
            cores.put(Integer.parseInt(fields[0].substring(3)), ticks);
        }
        return cores;
    }
}
