package p2pedge.bench;

import p2pedge.testing.EdgeJvm;
import p2pedge.testing.Waits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The edge jar as a child process on loopback, measured from outside: CPU time and RSS from /proc, live heap
 * after a full GC through jcmd. Benchmarks measure the edge this way so their own work is not counted.
 */
final class EdgeProcess implements AutoCloseable {

    private static final long CLOCK_TICKS = 100; // USER_HZ on Linux x86_64
    // One line per heap or generation at one space's indent: G1's one heap, Serial's (the JVM's choice on one CPU, as
    // when pinned) and Parallel's two generations; Metaspace is not heap.
    private static final Pattern HEAP_USED = Pattern.compile("^ (?!Metaspace)\\S.*total \\d+K, used (\\d+)K", Pattern.MULTILINE);
    private static final Pattern COMPILE_TICKS = Pattern.compile("java\\.ci\\.totalTime=(\\d+)");
    private static final Pattern TICK_FREQUENCY = Pattern.compile("sun\\.os\\.hrt\\.frequency=(\\d+)");
    private static final Pattern COLLECTOR = Pattern.compile("bool Use(G1|Serial|Parallel|Z|Shenandoah|Epsilon)GC\\s+= true");
    private static final Pattern PAUSE_GOAL = Pattern.compile("MaxGCPauseMillis\\s+= (\\d+)");

    private final Process process;
    private final int port;

    private EdgeProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts the jar with these config overrides (dotted keys) and waits until signalling listens. */
    static EdgeProcess start(Path jar, Map<String, String> overrides, Path log) throws Exception {
        int port = Waits.freePort();
        List<String> command = new ArrayList<>();
        // EDGE_CPUS: the cores the edge may run on (taskset's list, e.g. "0"), so that it does not share them with the
        // load client (BENCH_CPUS in run-bench.sh): its CPU is then its own, and "per core" is measured, not divided.
        String cpus = BenchEnv.text("EDGE_CPUS");
        if (!cpus.isEmpty()) {
            command.addAll(List.of("taskset", "-c", cpus));
        }
        // MaxHeapFreeRatio=100: G1 never gives heap back. The benches' live-heap figure is a full GC (heapAfterGcKb),
        // after which G1 would shrink the heap to a few times the live set, and the next step would pay for growing it
        // again, a young collection every few hundred ms (bench/signalling.sh, README: Operations benchmarks): a cost of
        // the measuring, not of what is measured.
        command.addAll(List.of("java", EdgeJvm.OPTIONS, "-Xmx512m", "-XX:MaxHeapFreeRatio=100",
                "-Dsignalling.host=127.0.0.1", "-Dsignalling.port=" + port, "-Dmetrics.host=127.0.0.1", "-Dmetrics.port=0",
                "-Dmedia.iceCandidateAddresses=127.0.0.1", "-Dp2p.allowLoopbackCandidates=true", "-Dmedia.forwarder.stun.port=0",
                "-Dmetrics.adminTokenFile=target/bench-admin-token",
                // Every simulated player comes from 127.0.0.1: as if behind one NAT, so no per-address caps.
                "-Dsignalling.maxSocketsPerAddress=0", "-Dsignalling.maxPendingOffersPerAddress=0",
                "-Dhttp.maxConnectionsPerAddress=0"));
        command.addAll(javaOptions());
        overrides.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putIfAbsent("MALLOC_ARENA_MAX", "2"); // as bin/p2p-edge runs the edge
        Process process = builder.start();
        // Whatever happens to the bench, the edge it started must not outlive it.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        EdgeProcess edge = new EdgeProcess(process, port);
        try {
            Waits.untilListening(port, 60_000);
            // The operators' port may come up after signalling (another verticle): a bench scrapes it at once.
            String metricsPort = overrides.getOrDefault("metrics.port", "0");
            if (!metricsPort.equals("0")) {
                Waits.untilListening(Integer.parseInt(metricsPort), 60_000);
            }
            System.out.println("edge (pid " + edge.pid() + "): " + edge.collector());
        } catch (Exception | AssertionError e) {
            edge.close();
            throw new IllegalStateException("the edge did not start; see " + log, e);
        }
        return edge;
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** Percentage of one core the edge used during the next {@code seconds}. */
    double cpuPercent(int seconds) throws IOException, InterruptedException {
        return cpuPercent(seconds, List.of(this))[0];
    }

    /**
     * EDGE_JAVA_OPTS: more JVM options for an edge a bench starts (a flight recording, a GC log, another heap size: the
     * last -Xmx wins).
     */
    static List<String> javaOptions() {
        String javaOpts = BenchEnv.text("EDGE_JAVA_OPTS");
        return javaOpts.isEmpty() ? List.of() : List.of(javaOpts.split("\\s+"));
    }

    /** Percentage of one core each edge used during the same next {@code seconds}. */
    static double[] cpuPercent(int seconds, List<EdgeProcess> edges) throws IOException, InterruptedException {
        return cpuPercent(seconds, edges.stream().mapToLong(EdgeProcess::pid).toArray());
    }

    /** Percentage of one core each process used during the same next {@code seconds}. */
    static double[] cpuPercent(int seconds, long... pids) throws IOException, InterruptedException {
        long[] before = new long[pids.length];
        for (int i = 0; i < before.length; i++) {
            before[i] = cpuTicks(pids[i]);
        }
        long start = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        double wall = (System.nanoTime() - start) / 1e9;
        double[] percent = new double[before.length];
        for (int i = 0; i < before.length; i++) {
            percent[i] = cpuPercentSince(pids[i], before[i], wall);
        }
        return percent;
    }

    long rssKb() throws IOException {
        return rssKb(process.pid());
    }

    /**
     * The edge's garbage collector and its pause goal, as its JVM settled them: pinned to one core (EDGE_CPUS), the JVM
     * picks Serial, which has no pause goal, where it picks G1 on two.
     */
    String collector() throws IOException, InterruptedException {
        String flags = jcmd("VM.flags -all");
        Matcher collector = COLLECTOR.matcher(flags);
        Matcher goal = PAUSE_GOAL.matcher(flags);
        String name = collector.find() ? collector.group(1) : "unknown";
        return name + " collector" + (goal.find() && !name.equals("Serial") ? ", pause goal " + goal.group(1) + " ms" : "");
    }

    /** Live heap: a full GC through jcmd, then the used figures of the heap's generations summed. */
    long heapAfterGcKb() throws IOException, InterruptedException {
        jcmd("GC.run");
        String info = jcmd("GC.heap_info");
        Matcher used = HEAP_USED.matcher(info);
        long kb = 0;
        boolean found = false;
        while (used.find()) {
            kb += Long.parseLong(used.group(1));
            found = true;
        }
        if (!found) {
            throw new IOException("no heap figure from jcmd GC.heap_info: " + info);
        }
        return kb;
    }

    /** Time the JIT compilers of JVM {@code pid} have spent so far (HotSpot's java.ci.totalTime), in milliseconds. */
    static double compileMillis(long pid) throws IOException, InterruptedException {
        String counters = jcmd(pid, "PerfCounter.print");
        Matcher ticks = COMPILE_TICKS.matcher(counters);
        Matcher frequency = TICK_FREQUENCY.matcher(counters);
        if (!ticks.find() || !frequency.find()) {
            throw new IOException("no java.ci.totalTime from jcmd PerfCounter.print");
        }
        return Long.parseLong(ticks.group(1)) * 1000.0 / Long.parseLong(frequency.group(1));
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        return jcmd(process.pid(), command);
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes());
        if (jcmd.waitFor() != 0) {
            throw new IOException("jcmd " + command + " failed: " + out);
        }
        return out;
    }

    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime + stime
    }

    static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IOException("no VmRSS for " + pid);
    }

    /** Percentage of one core this (the bench's) process used since {@code ticksBefore}, over {@code seconds}. */
    static double ownCpuPercent(long ticksBefore, double seconds) throws IOException {
        return cpuPercentSince(ProcessHandle.current().pid(), ticksBefore, seconds);
    }

    /** Percentage of one core process {@code pid} used since it had used {@code ticksBefore}, over {@code seconds}. */
    static double cpuPercentSince(long pid, long ticksBefore, double seconds) throws IOException {
        return 100.0 * (cpuTicks(pid) - ticksBefore) / CLOCK_TICKS / seconds;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
