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
 * from {@code jcmd PID Thread.print} (the kernel keeps 15 characters of a name); others by the kernel's name. Each
 * figure says how much of it the kernel accounted as system time (syscalls: a UDP send on loopback carries the
 * datagram into the receiving socket in the sender's system call).
 */
final class ThreadCpu {

    private static final Pattern JAVA_THREAD = Pattern.compile("^\"([^\"]+)\".* nid=(0x[0-9a-f]+|\\d+)", Pattern.MULTILINE);

    private final long pid;
    private final Map<Long, long[]> ticks;
    private final long startNanos = System.nanoTime();

    private ThreadCpu(long pid, Map<Long, long[]> ticks) {
        this.pid = pid;
        this.ticks = ticks;
    }

    /** The window starts now. */
    static ThreadCpu start(long pid) throws IOException {
        return new ThreadCpu(pid, ticksByThread(pid));
    }

    /**
     * The {@code top} threads by CPU since the start, as "name 61.2% (kernel 30.5%), ..." (100 % = one core; the
     * kernel's part, the system time, included in the first figure); threads of one pool (names that differ only in
     * their numbers: a Vert.x worker context runs on any of its pool's threads) are added up, as "name-# (n threads)".
     */
    String busiest(int top) throws IOException, InterruptedException {
        double wall = (System.nanoTime() - startNanos) / 1e9;
        Map<Long, long[]> now = ticksByThread(pid);
        Map<Long, String> names = names(pid);
        Map<String, long[]> pools = new HashMap<>(); // user ticks, system ticks, threads
        now.forEach((tid, t) -> {
            long[] was = ticks.getOrDefault(tid, new long[2]);
            long user = t[0] - was[0];
            long system = t[1] - was[1];
            if (user + system > 0) {
                long[] pool = pools.computeIfAbsent(names.getOrDefault(tid, "tid").replaceAll("\\d+", "#"), n -> new long[3]);
                pool[0] += user;
                pool[1] += system;
                pool[2]++;
            }
        });
        return pools.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue()[0] + b.getValue()[1], a.getValue()[0] + a.getValue()[1]))
                .limit(top)
                .map(e -> String.format(Locale.ROOT, "%s%s %.1f%% (kernel %.1f%%)", e.getKey(),
                        e.getValue()[2] > 1 ? " (" + e.getValue()[2] + " threads)" : "",
                        percent(e.getValue()[0] + e.getValue()[1], wall), percent(e.getValue()[1], wall)))
                .collect(Collectors.joining(", "));
    }

    /** Clock ticks (USER_HZ, 100 a second) over a window of {@code wall} seconds, as a percentage of one core. */
    private static double percent(long ticks, double wall) {
        return ticks / wall;
    }

    /** Each thread's user and system time so far, in clock ticks. */
    private static Map<Long, long[]> ticksByThread(long pid) throws IOException {
        Map<Long, long[]> ticks = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks.put(Long.parseLong(task.getFileName().toString()),
                            new long[] {Long.parseLong(fields[11]), Long.parseLong(fields[12])});
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
