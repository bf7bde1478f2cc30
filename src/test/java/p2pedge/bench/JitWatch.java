package p2pedge.bench;

import java.io.IOException;
import java.util.Locale;

/**
 * How busy the JIT compilers of some JVMs (edge processes) were over a round of load, as the time compilations took
 * from start to end (java.ci.totalTime; a busy core stretches it, so it overstates their CPU): a bench warms up in
 * rounds until the busiest is below {@link #SETTLED}. On this machine an edge's compilers take half a core for a minute
 * or more of load, and figures taken meanwhile measure the JIT, not the edge.
 */
final class JitWatch {

    static final double SETTLED = 0.05;

    private final long[] pids;
    private final double[] compiledMillis;
    private long startNanos;

    JitWatch(long... pids) {
        this.pids = pids;
        this.compiledMillis = new double[pids.length];
    }

    /** A round starts. */
    void start() throws IOException, InterruptedException {
        for (int i = 0; i < pids.length; i++) {
            compiledMillis[i] = EdgeProcess.compileMillis(pids[i]);
        }
        startNanos = System.nanoTime();
    }

    /** The busiest JVM's compile time since {@link #start()}, as a share of the time since. */
    double busiest() throws IOException, InterruptedException {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double most = 0;
        for (int i = 0; i < pids.length; i++) {
            most = Math.max(most, (EdgeProcess.compileMillis(pids[i]) - compiledMillis[i]) / 1000 / seconds);
        }
        return most;
    }

    /** A round of load the compilers are watched over. */
    interface Round {
        void run() throws Exception;
    }

    /**
     * Waits in rounds of {@code roundSeconds}, at most {@code maxRounds}, until the busiest JVM's compilers were busy for
     * less than {@code settled} of a round; what it waited, as a line to print beside the figures.
     */
    String settle(double settled, int roundSeconds, int maxRounds) throws Exception {
        return settle(settled, maxRounds, roundSeconds + " s", () -> Thread.sleep(roundSeconds * 1000L));
    }

    /** The same, each round being {@code round} (named {@code roundName} in the line returned). */
    String settle(double settled, int maxRounds, String roundName, Round round) throws Exception {
        double busy = 1;
        int rounds = 0;
        while (rounds < maxRounds && busy >= settled) {
            start();
            round.run();
            busy = busiest();
            rounds++;
        }
        return String.format(Locale.ROOT, "(waited %d round(s) of %s for the JIT: busy %.1f%% of the last%s)", rounds,
                roundName, 100 * busy, busy >= settled ? ", not settled: measured anyway" : "");
    }
}
