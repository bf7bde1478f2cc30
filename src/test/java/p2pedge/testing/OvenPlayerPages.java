package p2pedge.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Serves pages that run an unmodified OvenPlayer release from npm (installed in src/test/browser by the build)
 * against an edge: {@code /?v=VERSION&ws=URL}. Each page exposes {@code window.op} (states, errors, signalling
 * timeline, {@code created}: when OvenPlayer was created) and {@code window.frames()} (frames the video element
 * presented).
 */
public final class OvenPlayerPages implements AutoCloseable {

    public static final String NEWEST = "0.10.54";
    /** The last release whose Host Peer relay works. */
    public static final String LAST_RELAYING = "0.10.38";

    private static final Path MODULES = Path.of("src/test/browser/node_modules");

    private static final String PAGE = """
            <!doctype html><html><body>
            <div id="player"></div>
            <script>
              // The signalling timeline (ms since the page opened), for the tests' reports; OvenPlayer itself is
              // unmodified: its WebSocket is the browser's, only watched.
              window.op = { states: [], errors: [], signalling: [] };
              const NativeWebSocket = window.WebSocket;
              const mark = (what) => window.op.signalling.push(what + '@' + Math.round(performance.now()));
              window.WebSocket = function (url, protocols) {
                const ws = new NativeWebSocket(url, protocols);
                mark('connect');
                ws.addEventListener('open', () => mark('open'));
                ws.addEventListener('close', () => mark('close'));
                ws.addEventListener('message', (e) => {
                  try { const m = JSON.parse(e.data); mark('<' + (m.command || m.code) + (m.peer_id ? ':' + m.peer_id : '')); } catch (x) { }
                });
                const send = ws.send.bind(ws);
                ws.send = (data) => {
                  try { const m = JSON.parse(data); mark('>' + m.command + (m.peer_id ? ':' + m.peer_id : '')); } catch (x) { }
                  send(data);
                };
                return ws;
              };
              Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
              window.WebSocket.prototype = NativeWebSocket.prototype;
            </script>
            <script src="/ovenplayer.js?v=VERSION"></script>
            <script>
              // When the player starts (ms since the page opened): what came before is the page's own load.
              window.op.created = Math.round(performance.now());
              const player = OvenPlayer.create('player', {
                autoStart: true, mute: true,
                sources: [{ type: 'webrtc', file: 'WS_URL' }]
              });
              player.on('stateChanged', (d) => window.op.states.push(d.newstate + '@' + Math.round(performance.now())));
              player.on('error', (e) => window.op.errors.push(JSON.stringify(e)));
              // Frames presented since the page opened: the element's own count starts again whenever it
              // loads a new stream (a failover), so restarts are added up, sampled often enough not to miss one.
              let total = 0, last = 0, element = null;
              window.frames = () => {
                const v = document.querySelector('video');
                if (v !== element) { element = v; last = 0; }
                const now = v ? v.getVideoPlaybackQuality().totalVideoFrames : 0;
                total += now >= last ? now - last : now;
                last = now;
                return total;
              };
              setInterval(window.frames, 100);
            </script></body></html>
            """;

    private final HttpServer server;
    private final String host;

    private OvenPlayerPages(HttpServer server, String host) {
        this.server = server;
        this.host = host;
    }

    public static OvenPlayerPages start(Vertx vertx) throws Exception {
        return start(vertx, "127.0.0.1");
    }

    /** Served on {@code host} (the lab's tests: the test's address on the lab's internet). */
    public static OvenPlayerPages start(Vertx vertx, String host) throws Exception {
        HttpServer server = vertx.createHttpServer().requestHandler(req -> {
            String version = req.getParam("v", NEWEST);
            if (req.path().equals("/ovenplayer.js")) {
                Path script = script(version);
                if (!Files.isRegularFile(script)) {
                    req.response().setStatusCode(404).end();
                    return;
                }
                req.response().putHeader("content-type", "application/javascript").sendFile(script.toString());
            } else {
                req.response().putHeader("content-type", "text/html")
                        .end(PAGE.replace("VERSION", version).replace("WS_URL", req.getParam("ws", "")));
            }
        }).listen(0, host).await(10, TimeUnit.SECONDS);
        return new OvenPlayerPages(server, host);
    }

    /** The dist script of a pinned release; fails clearly when npm did not install it. */
    public static Path script(String version) {
        String module = version.equals(NEWEST) ? "ovenplayer" : "ovenplayer-" + version;
        return MODULES.resolve(module).resolve("dist/ovenplayer.js");
    }

    public static void assertInstalled(String version) {
        if (!Files.isRegularFile(script(version))) {
            throw new AssertionError(script(version) + " is missing: the build runs npm ci in src/test/browser");
        }
    }

    public String url(String version, String wsUrl) {
        return "http://" + host + ":" + server.actualPort() + "/?v=" + version + "&ws="
                + java.net.URLEncoder.encode(wsUrl, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws Exception {
        server.close().await(5, TimeUnit.SECONDS);
    }
}
