package p2pedge.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where a process spends its CPU, thread by thread, from /proc/PID/task/TID/stat over a window: which thread
 * saturates first (one thread at 100 % is a ceiling however many cores are idle). A Java process' threads are named
 * from {@code jcmd PID Thread.print} (the kernel keeps 15 characters of a name); others by the kernel's name.
 */
final class ThreadCpu {

    private static final Pattern JAVA_THREAD = Pattern.compile("^\"([^\"]+)\".* nid=(0x[0-9a-f]+|\\d+)", Pattern.MULTILINE);

    private final long pid;
    private final Map<Long, Long> ticks;
    private final long startNanos = System.nanoTime();

    private ThreadCpu(long pid, Map<Long, Long> ticks) {
        this.pid = pid;
        this.ticks = ticks;
    }

    /** The window starts now. */
    static ThreadCpu start(long pid) throws IOException {
        return new ThreadCpu(pid, ticksByThread(pid));
    }

    /**
     * The {@code top} threads by CPU since the start, as "name 61.2%, ..." (100 % = one core); threads of one pool
     * (names that differ only in their numbers: a Vert.x worker context runs on any of its pool's threads) are added
     * up, as "name-# (n threads)".
     */
    String busiest(int top) throws IOException, InterruptedException {
        double wall = (System.nanoTime() - startNanos) / 1e9;
        Map<Long, Long> now = ticksByThread(pid);
        Map<Long, String> names = names(pid);
        Map<String, long[]> pools = new HashMap<>(); // ticks, threads
        now.forEach((tid, t) -> {
            long used = t - ticks.getOrDefault(tid, 0L);
            if (used > 0) {
                long[] pool = pools.computeIfAbsent(names.getOrDefault(tid, "tid").replaceAll("\\d+", "#"), n -> new long[2]);
                pool[0] += used;
                pool[1]++;
            }
        });
        return pools.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
                .limit(top)
                .map(e -> String.format(Locale.ROOT, "%s%s %.1f%%", e.getKey(),
                        e.getValue()[1] > 1 ? " (" + e.getValue()[1] + " threads)" : "",
                        100.0 * e.getValue()[0] / 100 / wall)) // USER_HZ 100
                .collect(Collectors.joining(", "));
    }

    private static Map<Long, Long> ticksByThread(long pid) throws IOException {
        Map<Long, Long> ticks = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks.put(Long.parseLong(task.getFileName().toString()), Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
                } catch (IOException ended) {
                    // the thread ended meanwhile
                }
            }
        }
        return ticks;
    }

    private static Map<Long, String> names(long pid) throws IOException, InterruptedException {
        Map<Long, String> names = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    names.put(Long.parseLong(task.getFileName().toString()), Files.readString(task.resolve("comm")).trim());
                } catch (IOException ended) {
                    // the thread ended meanwhile
                }
            }
        }
        Process jcmd = new ProcessBuilder("jcmd", Long.toString(pid), "Thread.print").redirectErrorStream(true).start();
        String dump = new String(jcmd.getInputStream().readAllBytes());
        if (jcmd.waitFor() == 0) {
            Matcher thread = JAVA_THREAD.matcher(dump);
            while (thread.find()) {
                String nid = thread.group(2);
                names.put(nid.startsWith("0x") ? Long.parseLong(nid.substring(2), 16) : Long.parseLong(nid), thread.group(1));
            }
        }
        return names;
    }
}
