package p2pedge.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Debian's Chromium, headless, driven over the Chrome DevTools Protocol with a Vert.x WebSocket: no Selenium,
 * no driver binary. Each launch gets a fresh user-data-dir, removed on close.
 */
public final class Chromium implements AutoCloseable {

    private static final List<String> FLAGS = List.of(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
            "--mute-audio", "--autoplay-policy=no-user-gesture-required", "--remote-allow-origins=*",
            "--remote-debugging-port=0");

    /** Page-to-edge and page-to-page WebRTC on loopback: real candidate addresses (no mDNS), loopback allowed. */
    public static final List<String> LOOPBACK_WEBRTC_FLAGS = List.of(
            "--allow-loopback-in-peer-connection",
            "--disable-features=WebRtcHideLocalIpsWithMdns");

    private final Process process;
    /** For a Chromium in a lab namespace: what carries its DevTools port out to this namespace (else null). */
    private final Process bridge;
    private final Path profile;
    private final Cdp browser;
    private final List<Page> pages = Collections.synchronizedList(new ArrayList<>());
    private final Vertx vertx;
    private boolean closed;

    private Chromium(Vertx vertx, Process process, Process bridge, Path profile, Cdp browser) {
        this.vertx = vertx;
        this.process = process;
        this.bridge = bridge;
        this.profile = profile;
        this.browser = browser;
    }

    public static Chromium launch(Vertx vertx, List<String> extraFlags) throws Exception {
        return launch(vertx, null, extraFlags);
    }

    /**
     * A Chromium in network namespace {@code namespace} (the lab's homes; null: this one), so its WebRTC sees only
     * that namespace's network; its DevTools port, on the namespace's own loopback, is reached through
     * {@code lab/netns-bridge.py}.
     */
    public static Chromium launch(Vertx vertx, String namespace, List<String> extraFlags) throws Exception {
        Path profile = Files.createTempDirectory("p2pedge-chromium-");
        List<String> command = new ArrayList<>();
        if (namespace != null) {
            command.addAll(List.of("ip", "netns", "exec", namespace));
        }
        command.add(System.getProperty("chromium.binary", "/usr/bin/chromium"));
        command.addAll(FLAGS);
        command.add("--user-data-dir=" + profile);
        command.addAll(extraFlags);
        command.add("about:blank");
        Path log = profile.resolve("chromium.log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // Chromium puts its singleton socket in a directory of its own under TMPDIR, which a killed browser leaves
        // behind: inside the profile, it goes with it.
        builder.environment().put("TMPDIR", Files.createDirectory(profile.resolve("tmp")).toString());
        Process process = builder.start();
        Path portFile = profile.resolve("DevToolsActivePort");
        long deadline = System.currentTimeMillis() + 20_000;
        while (!Files.exists(portFile) || Files.readAllLines(portFile).size() < 2) {
            if (!process.isAlive() || System.currentTimeMillis() > deadline) {
                process.destroyForcibly();
                String tail = Files.exists(log) ? Files.readString(log) : "";
                deleteTree(profile);
                throw new IllegalStateException("chromium did not start: " + tail.substring(Math.max(0, tail.length() - 2000)));
            }
            Thread.sleep(50);
        }
        List<String> lines = Files.readAllLines(portFile);
        int port = Integer.parseInt(lines.get(0).trim());
        Process bridge = null;
        try {
            if (namespace != null) {
                bridge = new ProcessBuilder("python3", "lab/netns-bridge.py", namespace, Integer.toString(port))
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                String first = new BufferedReader(new InputStreamReader(bridge.getInputStream())).readLine();
                if (first == null) {
                    throw new IllegalStateException("lab/netns-bridge.py did not start for " + namespace);
                }
                port = Integer.parseInt(first.trim());
            }
            String url = "ws://127.0.0.1:" + port + lines.get(1).trim();
            return new Chromium(vertx, process, bridge, profile, Cdp.connect(vertx, url));
        } catch (Exception e) {
            process.destroyForcibly();
            if (bridge != null) {
                bridge.destroyForcibly();
            }
            deleteTree(profile);
            throw e;
        }
    }

    /** Opens a new tab at {@code url}. */
    public Page open(String url) throws Exception {
        return open(url, false);
    }

    /**
     * A page in a window of its own: visible, so it paints every video frame (a background tab is hidden and paints
     * none), for tests that watch what a viewer sees.
     */
    public Page openInWindow(String url) throws Exception {
        return open(url, true);
    }

    private Page open(String url, boolean newWindow) throws Exception {
        // A tab in a browser still starting its helper processes on a loaded machine (4 browsers on CI's 2 cores)
        // took more than 10 s to be created once; the tab itself is not what a test measures.
        JsonObject created = browser.call("Target.createTarget", new JsonObject().put("url", "about:blank")
                .put("newWindow", newWindow), null, 30);
        String targetId = created.getString("targetId");
        int port = Integer.parseInt(browser.url.replaceAll("^ws://127\\.0\\.0\\.1:(\\d+)/.*$", "$1"));
        Cdp cdp = Cdp.connect(vertx, "ws://127.0.0.1:" + port + "/devtools/page/" + targetId);
        Page page = new Page(targetId, cdp);
        // Same reason: a new tab's first answers can be slow while its renderer starts.
        cdp.call("Runtime.enable", new JsonObject(), null, 30);
        cdp.call("Page.enable", new JsonObject(), null, 30);
        cdp.call("Page.navigate", new JsonObject().put("url", url), null, 30);
        pages.add(page);
        return page;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        new ArrayList<>(pages).forEach(Page::close);
        browser.close();
        // Chromium forks renderers and helpers: take the whole tree down.
        List<ProcessHandle> tree = process.descendants().toList();
        process.destroy();
        tree.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            for (ProcessHandle p : tree) {
                p.destroyForcibly();
                p.onExit().get(5, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            // Best effort: a stuck helper must not fail the test run.
        }
        if (bridge != null) {
            bridge.destroyForcibly();
        }
        deleteTree(profile);
    }

    /** One tab. */
    public final class Page implements AutoCloseable {
        private final String targetId;
        private final Cdp cdp;
        private boolean closed;

        private Page(String targetId, Cdp cdp) {
            this.targetId = targetId;
            this.cdp = cdp;
        }

        /** Evaluates an expression (promises awaited) and returns its JSON value. */
        public Object eval(String expression) throws Exception {
            JsonObject result = cdp.call("Runtime.evaluate", new JsonObject().put("expression", expression)
                    .put("returnByValue", true).put("awaitPromise", true), null);
            if (result.containsKey("exceptionDetails")) {
                JsonObject details = result.getJsonObject("exceptionDetails");
                JsonObject exception = details.getJsonObject("exception", new JsonObject());
                throw new IllegalStateException("page threw: " + exception.getString("description", details.getString("text")));
            }
            return result.getJsonObject("result").getValue("value");
        }

        public void waitUntil(String expression, Duration timeout, String message) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            Object last = null;
            while (System.nanoTime() < deadline) {
                try {
                    last = eval(expression);
                    if (Boolean.TRUE.equals(last)) {
                        return;
                    }
                } catch (IllegalStateException e) {
                    last = e.getMessage();
                }
                Thread.sleep(20);
            }
            throw new AssertionError(message + ": not true within " + timeout.toMillis() + " ms (last value: " + last
                    + "); console: " + console());
        }

        /** Console output and uncaught exceptions seen so far. */
        public List<String> console() {
            return List.copyOf(cdp.events);
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                browser.call("Target.closeTarget", new JsonObject().put("targetId", targetId), null);
            } catch (Exception e) {
                // The tab may be gone with the browser already.
            }
            cdp.close();
            pages.remove(this);
        }
    }

    /** One DevTools WebSocket: numbered calls and their replies, events kept as short strings. */
    private static final class Cdp {
        private final String url;
        private final WebSocketClient client;
        private final WebSocket socket;
        private final AtomicLong ids = new AtomicLong();
        private final Map<Long, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
        final List<String> events = Collections.synchronizedList(new ArrayList<>());

        private Cdp(String url, WebSocketClient client, WebSocket socket) {
            this.url = url;
            this.client = client;
            this.socket = socket;
            socket.textMessageHandler(this::onMessage);
            socket.closeHandler(v -> pending.values().forEach(f -> f.completeExceptionally(new IOException("devtools socket closed"))));
        }

        static Cdp connect(Vertx vertx, String url) throws Exception {
            WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
                    .setMaxFrameSize(16 << 20).setMaxMessageSize(16 << 20));
            WebSocket socket = client.connect(new io.vertx.core.http.WebSocketConnectOptions().setAbsoluteURI(url))
                    .await(10, TimeUnit.SECONDS);
            return new Cdp(url, client, socket);
        }

        JsonObject call(String method, JsonObject params, String sessionId) throws Exception {
            return call(method, params, sessionId, 10);
        }

        JsonObject call(String method, JsonObject params, String sessionId, int timeoutSeconds) throws Exception {
            long id = ids.incrementAndGet();
            CompletableFuture<JsonObject> reply = new CompletableFuture<>();
            pending.put(id, reply);
            JsonObject message = new JsonObject().put("id", id).put("method", method).put("params", params);
            if (sessionId != null) {
                message.put("sessionId", sessionId);
            }
            socket.writeTextMessage(message.encode());
            try {
                JsonObject response;
                try {
                    response = reply.get(timeoutSeconds, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    // Name the call: a bare TimeoutException in a report says nothing about which step hung.
                    throw new TimeoutException("DevTools " + method + " got no answer within " + timeoutSeconds + " s");
                }
                if (response.containsKey("error")) {
                    throw new IllegalStateException(method + ": " + response.getJsonObject("error").encode());
                }
                return response.getJsonObject("result", new JsonObject());
            } finally {
                pending.remove(id);
            }
        }

        private void onMessage(String text) {
            JsonObject message = new JsonObject(text);
            Long id = message.getLong("id");
            if (id != null) {
                CompletableFuture<JsonObject> reply = pending.get(id);
                if (reply != null) {
                    reply.complete(message);
                }
                return;
            }
            String method = message.getString("method", "");
            JsonObject params = message.getJsonObject("params", new JsonObject());
            if (method.equals("Runtime.consoleAPICalled")) {
                StringBuilder line = new StringBuilder(params.getString("type", "log")).append(':');
                params.getJsonArray("args", new io.vertx.core.json.JsonArray()).forEach(arg -> {
                    JsonObject a = (JsonObject) arg;
                    line.append(' ').append(a.containsKey("value") ? a.getValue("value") : a.getString("description", ""));
                });
                events.add(line.toString());
            } else if (method.equals("Runtime.exceptionThrown")) {
                JsonObject details = params.getJsonObject("exceptionDetails", new JsonObject());
                events.add("exception: " + details.getJsonObject("exception", new JsonObject())
                        .getString("description", details.getString("text")));
            }
        }

        void close() {
            socket.close();
            client.close();
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Leftover temp files are harmless.
        }
    }
}
