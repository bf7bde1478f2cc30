package p2pedge.testing;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The network lab ({@code lab/lab.sh}) for a test: an "internet" bridge (203.0.113.0/24, this namespace at .1),
 * edges as processes in namespaces of their own, homes behind NAT routers with one namespace per device. Made on
 * start and torn down on close (and at the next start, should a run have died). Where namespaces cannot be made
 * (not root, no iptables) the test is skipped with the reason printed.
 */
public final class Lab implements AutoCloseable {

    /** The address the root namespace (the test) has on the lab's internet. */
    public static final String TEST_ADDRESS = "203.0.113.1";
    /**
     * The {@code streams} override for a light demo stream (320x180 at 15 fps, 300 kbit/s): for tests that run four
     * browsers on CI's 2 cores, where the default 640x360@30 times the machine (every browser decoding, each host
     * also encoding a relay per client), not the edge.
     */
    public static final String LIGHT_STREAMS = "[{\"name\":\"app/stream\",\"source\":\"demo\",\"width\":320,\"height\":180,\"fps\":15,\"bitrateKbps\":300}]";
    private static final Path SCRIPT = Path.of("lab/lab.sh");
    /** How long a browser is left to start before a page is opened in it (see {@link #runningBrowser}). */
    public static final long BROWSER_START_MS = 1_500;

    private final List<Edge> edges = new ArrayList<>();

    private Lab() {
    }

    /** A fresh lab with its internet up, or the test aborted (skipped) with the reason when this machine cannot. */
    public static Lab start() throws Exception {
        run("down");
        Result check = exec(List.of("bash", SCRIPT.toString(), "check"));
        if (check.code != 0) {
            String reason = "network lab unavailable here (needs root, iproute2, iptables): " + check.output.strip();
            System.out.println("SKIPPED: " + reason);
            Assumptions.abort(reason);
        }
        run("up");
        return new Lab();
    }

    /** The kinds of home {@code lab/lab.sh home} builds. */
    public enum Home {
        /** Linux MASQUERADE: endpoint-independent mapping, port-restricted filtering. */
        CONE,
        /** MASQUERADE --random-fully: a new mapping per destination. */
        SYMMETRIC,
        /** No NAT: the device is on the internet. */
        PUBLIC,
        /** A cone NAT that drops all UDP. */
        UDPBLOCKED
    }

    /**
     * Home {@code n} with {@code devices} devices; returns their namespaces ({@code p2pl-hN-D}).
     *
     * @param upKbit      the home's upload cap (0: none)
     * @param lossPercent share of forwarded packets dropped both ways (0: none; not for public homes)
     */
    public List<String> home(int n, Home kind, int devices, int upKbit, int lossPercent) throws Exception {
        run("home", Integer.toString(n), kind.name().toLowerCase(), Integer.toString(devices), Integer.toString(upKbit),
                Integer.toString(lossPercent));
        List<String> namespaces = new ArrayList<>();
        for (int d = 1; d <= devices; d++) {
            namespaces.add("p2pl-h" + n + "-" + d);
        }
        return namespaces;
    }

    public List<String> home(int n, Home kind) throws Exception {
        return home(n, kind, 1, 0, 0);
    }

    /**
     * An edge process ({@code p2pedge.Main} on this test's classpath) in namespace {@code p2pl-NAME} at
     * 203.0.113.OCTET, on the default configuration plus the address players reach it by and {@code overrides}
     * (dotted keys); started when its signalling port answers.
     */
    public Edge edge(String name, int octet, Map<String, String> overrides) throws Exception {
        run("edge", name, Integer.toString(octet));
        String address = "203.0.113." + octet;
        Path log = Path.of("target", "lab-" + name + ".log");
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", "p2pl-" + name, "java", EdgeJvm.OPTIONS, "-Xmx512m",
                "-cp", System.getProperty("java.class.path"),
                "-Dmedia.iceCandidateAddresses=" + address,
                "-Dmetrics.adminTokenFile=target/lab-" + name + "-admin-token"));
        overrides.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("p2pedge.Main");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("MALLOC_ARENA_MAX", "2");
        Edge edge = new Edge(name, address, builder.start(), log);
        edges.add(edge);
        Waits.until(() -> Files.readString(log).contains(" ready:") || !edge.process.isAlive(), 90_000,
                "edge " + name + " starts (" + log + ")");
        if (!edge.process.isAlive()) {
            throw new IllegalStateException("edge " + name + " exited: " + Files.readString(log));
        }
        return edge;
    }

    /**
     * When {@code page} first decoded, on its own clock (ms since its navigation started: what a viewer who
     * opened it waited); {@code frames} is a JavaScript expression for the frames decoded so far (a number or a
     * promise of one), polled every 50 ms; -1 when none came within {@code timeoutMillis}.
     */
    /**
     * A headless Chromium in {@code namespace}, as a viewer's browser is when they open a page: already running.
     * Right after its launch it still starts its helper processes (GPU, network, a spare renderer for the next
     * page), which on 2 cores shared with other browsers took seconds from a page opened at once, a cost no
     * viewer with a running browser pays; the page is opened {@link #BROWSER_START_MS} after the launch.
     */
    public static Chromium runningBrowser(Vertx vertx, String namespace) throws Exception {
        Chromium chromium = Chromium.launch(vertx, namespace, List.of());
        Thread.sleep(BROWSER_START_MS);
        return chromium;
    }

    public static long firstFrameMillis(Chromium.Page page, String frames, long timeoutMillis) throws Exception {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        String at = "Promise.resolve(" + frames + ").then(f => f > 0 ? performance.now() : -1)";
        while (System.nanoTime() < deadline) {
            try {
                if (page.eval(at) instanceof Number n && n.doubleValue() >= 0) {
                    return n.longValue();
                }
            } catch (TimeoutException e) {
                // A renderer still loading the player on a loaded machine: not a frame yet; the deadline still holds.
            }
            Thread.sleep(50);
        }
        return -1;
    }

    /** A {@link Home#UDPBLOCKED} home {@code n} lets UDP through from now on. */
    public void allowUdp(int n) throws Exception {
        run("allowudp", Integer.toString(n));
    }

    /** Caps what device {@code d} of home {@code n} downloads at {@code kbit} kbit/s (tbf on its router; 0 lifts it). */
    public void downcap(int n, int d, int kbit) throws Exception {
        run("downcap", Integer.toString(n), Integer.toString(d), Integer.toString(kbit));
    }

    /** As {@link #downcap(int, int, int)}, with a queue of {@code queueMillis} before the cap drops (a home router's). */
    public void downcap(int n, int d, int kbit, int queueMillis) throws Exception {
        run("downcap", Integer.toString(n), Integer.toString(d), Integer.toString(kbit), Integer.toString(queueMillis));
    }

    /** Packets the download cap of device {@code d} of home {@code n} has dropped (its queue was full). */
    public long downcapDrops(int n, int d) throws Exception {
        Result result = exec(List.of("bash", SCRIPT.toString(), "drops", Integer.toString(n), Integer.toString(d)));
        if (result.code != 0) {
            throw new IllegalStateException("lab drops " + n + " " + d + " failed: " + result.output);
        }
        return Long.parseLong(result.output.strip());
    }

    /** Home {@code n}'s devices can no longer reach each other, only the internet (Wi-Fi client isolation). */
    public void isolate(int n) throws Exception {
        run("isolate", Integer.toString(n));
    }

    /** Drops all traffic between the edges named on the left and those on the right, until {@link #heal()}. */
    public void cut(List<String> left, List<String> right) throws Exception {
        List<String> args = new ArrayList<>(List.of("cut"));
        args.addAll(left);
        args.add("--");
        args.addAll(right);
        run(args.toArray(String[]::new));
    }

    public void heal() throws Exception {
        run("heal");
    }

    @Override
    public void close() {
        edges.forEach(Edge::close);
        try {
            run("down");
        } catch (Exception e) {
            System.out.println("lab teardown: " + e.getMessage());
        }
    }

    /** An edge process in the lab. */
    public static final class Edge implements AutoCloseable {
        public final String name;
        /** Its address on the lab's internet: players open http://ADDRESS:3333/. */
        public final String address;
        private final Process process;
        public final Path log;

        private Edge(String name, String address, Process process, Path log) {
            this.name = name;
            this.address = address;
            this.process = process;
            this.log = log;
        }

        public String playerUrl(String stream) {
            return "http://" + address + ":3333/?stream=" + stream;
        }

        public String wsUrl(String stream) {
            return "ws://" + address + ":3333/" + stream;
        }

        /** The signalling port's {@code /api/p2p}: roles and offload on this edge. */
        public JsonObject p2pStatus() throws Exception {
            return new JsonObject(get("http://" + address + ":3333/api/p2p", null));
        }

        /** The edge legs of this edge's viewers, as its operators see them (/admin/overview). */
        public List<Object> edgeLegs(String token) throws Exception {
            return new JsonObject(admin("/admin/overview", token)).getJsonArray("peers").stream()
                    .map(p -> ((JsonObject) p).getValue("leg")).toList();
        }

        /** The admin API on the operators' port (9333), with the token the edge was given ({@code metrics.adminToken}). */
        public String admin(String path, String token) throws Exception {
            return get("http://" + address + ":9333" + path, token);
        }

        private static String get(String url, String token) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(url + ": " + response.statusCode() + " " + response.body());
            }
            return response.body();
        }

        /** SIGKILL: the edge dies as a crashed machine would. */
        public void kill() {
            process.destroyForcibly();
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    private static void run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        Result result = exec(command);
        if (result.code != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + result.code + "): " + result.output);
        }
    }

    private record Result(int code, String output) {
    }

    private static Result exec(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Result(-1, output + " (timed out)");
        }
        return new Result(process.exitValue(), output);
    }
}
