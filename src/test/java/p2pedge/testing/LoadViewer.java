package p2pedge.testing;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import p2pedge.webrtc.CandidateLine;
import p2pedge.media.rtc.ClientTransport;
import p2pedge.media.rtc.HeaderExtensions;
import p2pedge.media.rtc.ReceiveBatch;
import p2pedge.media.rtc.Rtcp;
import p2pedge.media.rtc.TransportSequence;
import p2pedge.media.rtc.DtlsCertificate;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A viewer that does everything a browser does on the wire except decode: the OME signalling exchange, then the
 * edge's own {@link ClientTransport} (the one its pulls use: ICE controlling against an ICE-lite edge, controlled
 * against libwebrtc's full agent, DTLS-SRTP as the client, SRTP authentication and decryption of every packet),
 * counting packets, bytes and sequence-number gaps per SSRC. Cheap enough that one machine drives hundreds of
 * them; a benchmark's and a stress test's stand-in for a real player. Runs entirely on its Vert.x context, the
 * DTLS handshake on a worker.
 */
public final class LoadViewer {

    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * How often a viewer sends transport-wide feedback: as Chromium does to this edge (measured by
     * bench/browser-feedback.sh, and held to this by ForwardingPlaneTest's Chromium test of transport-wide feedback);
     * libwebrtc spaces them by a bitrate of its own, 50 to 250 ms apart. Until then the load viewers sent
     * one every 100 ms, about 0.6 of what a browser makes the edge read (a bench's JVM can still be told another
     * interval: BENCH_JAVA_OPTS=-Dp2pedge.load.feedbackMillis=100).
     */
    public static final long FEEDBACK_INTERVAL_MS = Long.getLong("p2pedge.load.feedbackMillis", 62);

    /** Packets of one SSRC: how many arrived, and the sequence-number span they cover. */
    private static final class Track {
        final int ssrc;
        long received;
        long firstSequence = -1;
        long highestSequence = -1;
        int cycles;

        Track(int ssrc) {
            this.ssrc = ssrc;
        }

        void onSequence(int sequence) {
            received++;
            if (firstSequence < 0) {
                firstSequence = highestSequence = sequence;
                return;
            }
            long extended = ((long) cycles << 16) | sequence;
            // A wrap: the new number is far below the last one.
            if (sequence < (highestSequence & 0xFFFF) && (highestSequence & 0xFFFF) - sequence > 0x8000) {
                cycles++;
                extended = ((long) cycles << 16) | sequence;
            }
            highestSequence = Math.max(highestSequence, extended);
        }

        long expected() {
            return firstSequence < 0 ? 0 : highestSequence - firstSequence + 1;
        }
    }

    /**
     * What a viewer has counted so far, and when ({@code nanos}, {@link System#nanoTime} on its context); subtract two
     * snapshots for a window, whose {@code nanos} is then its length.
     */
    public record Counts(long packets, long bytes, long expected, long refused, long nanos) {
        public Counts minus(Counts earlier) {
            return new Counts(packets - earlier.packets, bytes - earlier.bytes, expected - earlier.expected,
                    refused - earlier.refused, nanos - earlier.nanos);
        }

        /** A window's bitrate over its own length (a snapshot waits for its viewer's busy context: its own time counts). */
        public double kbps() {
            return nanos <= 0 ? 0 : bytes * 8e6 / nanos;
        }

        /** Share of packets lost (never arrived), 0 to 1. */
        public double lossRatio() {
            return expected <= 0 ? 0 : Math.max(0, 1.0 - (double) packets / expected);
        }
    }

    /**
     * What many load viewers share: one WebSocket client, a small pool for the blocking DTLS handshakes, one
     * certificate (like a browser profile), and the video bitrate to ask a per-viewer encoder for (0: none).
     * A load viewer sends no REMB, so libwebrtc would otherwise stay at its start bitrate. With
     * {@code transportFeedback} its viewers agree to transport-wide congestion control when the edge offers it and
     * send the feedback a browser would (every {@link #FEEDBACK_INTERVAL_MS}).
     */
    public record Crowd(Vertx vertx, WebSocketClient client, HttpClient http, WorkerExecutor handshakes, BcTlsCrypto crypto,
                        DtlsCertificate identity, int bitrateKbps, boolean transportFeedback, SocketPoller poller)
            implements AutoCloseable {

        public static Crowd create(Vertx vertx, int handshakeThreads, int bitrateKbps) {
            BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
            // The default pool (50 connections per host) would queue the 51st viewer.
            return new Crowd(vertx, vertx.createWebSocketClient(new io.vertx.core.http.WebSocketClientOptions()
                            .setMaxFrameSize(1 << 20).setMaxConnections(100_000)),
                    vertx.createHttpClient(new io.vertx.core.http.PoolOptions().setHttp1MaxSize(64)),
                    vertx.createSharedWorkerExecutor("load-viewer-dtls", handshakeThreads), crypto,
                    DtlsCertificate.generate(crypto), bitrateKbps, false, null);
        }

        /** The same crowd, its viewers sending transport-wide feedback (see above). */
        public Crowd withTransportFeedback() {
            return new Crowd(vertx, client, http, handshakes, crypto, identity, bitrateKbps, true, poller);
        }

        /**
         * The same crowd, its viewers' sockets read every {@code tickMillis} by a {@link SocketPoller} (several
         * datagrams a system call, arrival times the kernel's) rather than datagram by datagram as they come. Closed
         * with the crowd; unchanged where the poller is not available.
         */
        public Crowd withPolledReceive(int tickMillis) {
            return !SocketPoller.available() ? this : new Crowd(vertx, client, http, handshakes, crypto, identity,
                    bitrateKbps, transportFeedback, SocketPoller.create(vertx, tickMillis));
        }

        /** One more viewer of {@code ws://127.0.0.1:port/path}; fails if not connected within 20 s. */
        public Future<LoadViewer> join(int port, String path) {
            return LoadViewer.connect(this, viewer -> viewer.start(client, port, path)).timeout(20, java.util.concurrent.TimeUnit.SECONDS);
        }

        /**
         * One more viewer of Janus' streaming plugin mountpoint {@code mountpoint}, through Janus' HTTP API on
         * {@code http://host:port/janus}, its UDP port bound to {@code localAddress}; fails if not connected within
         * 20 s. Janus (libnice) offers no loopback candidate and sends from the interface it gathered on: run it in a
         * network namespace of the bench's own, at {@code host}, and this viewer in another, at {@code localAddress}.
         */
        public Future<LoadViewer> joinJanus(String host, int port, long mountpoint, String localAddress) {
            return LoadViewer.connect(this, viewer -> viewer.startJanus(http, host, port, mountpoint, localAddress))
                    .timeout(20, java.util.concurrent.TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            if (poller != null) {
                poller.close();
            }
            handshakes.close();
            client.close();
            http.close();
        }
    }

    private final Vertx vertx;
    private final Context context;
    private final DtlsCertificate identity;
    private final int bitrateKbps;
    private final ClientTransport transport;
    private final SocketPoller poller;
    /** This viewer's socket as the poller reads it (null: read by the event loop). */
    private SocketPoller.Polled polled;
    /** One per SSRC seen, found by a scan (a boxed map lookup per packet was a twentieth of the client's CPU). */
    private Track[] tracks = new Track[0];
    private final Promise<Void> secured = Promise.promise();
    private final AtomicLong refused = new AtomicLong();
    private long bytes;
    private WebSocket socket;
    private int localPort;
    private String edgeUfrag;
    private String edgePassword;
    private String edgeFingerprint;
    private boolean edgeIsLite;
    private long sessionId;
    private long deadlineTimer = -1;
    private final int ownSsrc = RANDOM.nextInt();
    /** The edge's video SSRC towards this viewer, from the offer. */
    private int videoSsrc;
    /**
     * Each video frame's first packet: when it arrived here (wall clock, microseconds) less when the source's last
     * sender report puts its RTP timestamp, not taken yet ({@link #takeFrameDelays}). The same source packet gives
     * every viewer the same figure whatever its own timeline (each viewer's report is mapped into it), so these compare
     * across viewers and over time: the smallest is the fastest path through the edge. The demo encoder's reports put
     * its timestamps off by a constant (its frames carry their own clock's time), so only differences mean anything.
     */
    private long[] frameDelays = new long[64];
    private int frameDelayCount;
    /** The last video sender report (Unix milliseconds of its NTP time, its RTP timestamp; -1: none yet). */
    private double reportMillis = -1;
    private long reportRtp;
    private long lastFrameTimestamp = -1;
    private long answeredAtNanos;
    private long securedAtNanos;
    private volatile boolean closed;
    private final boolean transportFeedback;
    /** The id the edge offered for the transport-wide sequence number and this viewer agreed (0: none). */
    private int transportId;
    private final TransportFeedbackWriter feedback = new TransportFeedbackWriter();
    private final long createdNanos = System.nanoTime();
    /**
     * The wall clock, in milliseconds, when {@link System#nanoTime} read 0: a frame's arrival on the wall clock from
     * its read time without reading the wall clock for each frame (a load client's thousand viewers' frames made that
     * read a fortieth of its core). Both clocks tick at the same rate; NTP's slewing moves them apart by microseconds a
     * minute at most.
     */
    private final double wallMillisAtNanoZero = -ReceiveBatch.wallToNano() / 1e6;
    private long feedbackTimer = -1;
    private String firstMid;
    /** The server's UDP host candidates taken: loopback ones, or those at this address (a bench namespace's). */
    private String candidateAddress;
    /** Janus' HTTP API: where, and this viewer's session and plugin handle there (0: not a Janus viewer). */
    private HttpClient janusHttp;
    private String janusHost;
    private int janusPort;
    private long janusSession;
    private long janusHandle;
    private long keepaliveTimer = -1;
    /** Where received RTP is passed on in plain (a tap feeding another server; null: nowhere). */
    private io.vertx.core.datagram.DatagramSocket tap;
    private java.net.InetSocketAddress tapVideo;
    private java.net.InetSocketAddress tapAudio;

    private LoadViewer(Crowd crowd, Context context) {
        this.vertx = crowd.vertx();
        this.context = context;
        this.identity = crowd.identity();
        this.bitrateKbps = crowd.bitrateKbps();
        this.transportFeedback = crowd.transportFeedback();
        this.poller = crowd.poller();
        this.transport = new ClientTransport(vertx, crowd.crypto(), identity,
                handshake -> crowd.handshakes().executeBlocking(handshake, false), new ClientTransport.Receiver() {
                    @Override
                    public void onRtp(byte[] plain, int datagramLength, long readNanos) {
                        int ssrc = ByteBuffer.wrap(plain, 8, 4).getInt();
                        if (tap != null) {
                            java.net.InetSocketAddress to = ssrc == videoSsrc ? tapVideo : tapAudio;
                            tap.send(io.vertx.core.buffer.Buffer.buffer(plain), to.getPort(), to.getHostString());
                        }
                        track(ssrc).onSequence(((plain[2] & 0xFF) << 8) | (plain[3] & 0xFF));
                        if (ssrc == videoSsrc) {
                            onVideoTimestamp(ByteBuffer.wrap(plain, 4, 4).getInt() & 0xFFFFFFFFL, readNanos);
                        }
                        bytes += datagramLength;
                        if (transportId > 0) {
                            HeaderExtensions.value(plain, transportId).filter(v -> v.length == 2).ifPresent(v -> feedback.onPacket(
                                    ((v[0] & 0xFF) << 8) | (v[1] & 0xFF), (readNanos - createdNanos) / 1_000));
                        }
                    }

                    @Override
                    public void onRtcp(byte[] plain) {
                        Rtcp.senderInfo(plain).filter(report -> report.ssrc() == videoSsrc).ifPresent(report -> {
                            reportMillis = ntpToUnixMillis(report.ntpTimestamp());
                            reportRtp = report.rtpTimestamp();
                        });
                    }

                    @Override
                    public void onRefused() {
                        refused.incrementAndGet();
                    }
                });
    }

    /**
     * Connects with {@code start} (to {@code ws://127.0.0.1:port/path} for the edge: asks for an offer, answers it) and
     * completes ICE and DTLS-SRTP. The future completes when the keys are known (media may already be flowing).
     */
    private static Future<LoadViewer> connect(Crowd crowd, java.util.function.Function<LoadViewer, Future<Void>> start) {
        Context context = crowd.vertx().getOrCreateContext();
        Promise<LoadViewer> result = Promise.promise();
        context.runOnContext(v -> {
            LoadViewer viewer = new LoadViewer(crowd, context);
            start.apply(viewer).onComplete(ar -> {
                if (ar.succeeded()) {
                    result.complete(viewer);
                } else {
                    viewer.close();
                    result.fail(ar.cause());
                }
            });
        });
        return result.future();
    }

    /** The viewer's socket is bound at {@code port}: the crowd's poller, if any, reads it from now on. */
    private void bound(int port) {
        localPort = port;
        if (poller != null) {
            polled = poller.add(transport.socket(), context);
        }
    }

    private Future<Void> start(WebSocketClient client, int port, String path) {
        return transport.listen("127.0.0.1").compose(bound -> {
            bound(bound);
            return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path));
        }).compose(ws -> {
            socket = ws;
            ws.textMessageHandler(this::onSignalling);
            ws.closeHandler(v -> secured.tryFail("signalling closed (" + ws.closeStatusCode() + " " + ws.closeReason() + ")"));
            return ws.writeTextMessage(new JsonObject().put("command", "request_offer").encode());
        }).compose(v -> secured.future());
    }

    /**
     * Janus' streaming plugin: a session, a handle on the plugin, {@code watch} the mountpoint, its offer from the
     * session's event long poll, the answer with {@code start}; then ICE (Janus as ICE-lite: this viewer controls) and
     * DTLS as for the edge. A keepalive every 25 s holds the session.
     */
    private Future<Void> startJanus(HttpClient http, String host, int port, long mountpoint, String localAddress) {
        candidateAddress = host;
        janusHttp = http;
        janusHost = host;
        janusPort = port;
        return transport.listen(localAddress).compose(bound -> {
            bound(bound);
            return janus("/janus", new JsonObject().put("janus", "create"));
        }).compose(created -> {
            janusSession = created.getJsonObject("data").getLong("id");
            keepaliveTimer = vertx.setPeriodic(25_000, t -> janus("/janus/" + janusSession, new JsonObject().put("janus", "keepalive")));
            return janus("/janus/" + janusSession, new JsonObject().put("janus", "attach").put("plugin", "janus.plugin.streaming"));
        }).compose(attached -> {
            janusHandle = attached.getJsonObject("data").getLong("id");
            return janus("/janus/" + janusSession + "/" + janusHandle, new JsonObject().put("janus", "message")
                    .put("body", new JsonObject().put("request", "watch").put("id", mountpoint)));
        }).compose(ack -> janusOffer(20)).compose(offer -> {
            String answer = answer(offer);
            if (answer == null) {
                return Future.<JsonObject>failedFuture("Janus' offer lacks ICE credentials, a fingerprint or a media section");
            }
            answeredAtNanos = System.nanoTime();
            // Janus is ICE-lite here and learns this viewer's address from its checks; the candidate is for form.
            answer += "a=candidate:" + CandidateLine.udp(CandidateLine.Type.HOST, 1, localAddress, localPort).format()
                    + "\r\na=end-of-candidates\r\n";
            return janus("/janus/" + janusSession + "/" + janusHandle, new JsonObject().put("janus", "message")
                    .put("body", new JsonObject().put("request", "start"))
                    .put("jsep", new JsonObject().put("type", "answer").put("sdp", answer)));
        }).compose(started -> {
            connectTransport();
            return secured.future();
        });
    }

    /** The offer among the session's next events (a long poll each), within {@code polls} polls. */
    private Future<String> janusOffer(int polls) {
        if (polls == 0) {
            return Future.failedFuture("no offer from Janus");
        }
        return janusHttp.request(io.vertx.core.http.HttpMethod.GET, janusPort, janusHost, "/janus/" + janusSession + "?maxev=1")
                .compose(request -> request.send()).compose(response -> response.body())
                .compose(body -> {
                    Object parsed = body.toJsonValue();
                    JsonObject event = parsed instanceof JsonArray events && !events.isEmpty() ? events.getJsonObject(0)
                            : parsed instanceof JsonObject one ? one : new JsonObject();
                    JsonObject jsep = event.getJsonObject("jsep");
                    if (jsep != null && "offer".equals(jsep.getString("type"))) {
                        return Future.succeededFuture(jsep.getString("sdp"));
                    }
                    JsonObject data = event.getJsonObject("plugindata", new JsonObject()).getJsonObject("data", new JsonObject());
                    if (data.containsKey("error")) {
                        return Future.failedFuture("Janus refused: " + data.encode());
                    }
                    return janusOffer(polls - 1);
                });
    }

    /** One request to Janus' HTTP API; fails on an error reply. */
    private Future<JsonObject> janus(String path, JsonObject request) {
        request.put("transaction", Long.toHexString(RANDOM.nextLong()));
        return janusHttp.request(io.vertx.core.http.HttpMethod.POST, janusPort, janusHost, path)
                .compose(r -> r.send(request.encode())).compose(response -> response.body()).compose(body -> {
                    JsonObject reply = body.toJsonObject();
                    return "error".equals(reply.getString("janus"))
                            ? Future.failedFuture("Janus: " + reply.encode()) : Future.succeededFuture(reply);
                });
    }

    /**
     * From now on every RTP packet this viewer receives is passed on in plain from {@code socket}: its video to
     * {@code video}, the rest to {@code audio} (a tap feeding another server the same stream).
     */
    public void tap(io.vertx.core.datagram.DatagramSocket socket, java.net.InetSocketAddress video, java.net.InetSocketAddress audio) {
        context.runOnContext(v -> {
            tapVideo = video;
            tapAudio = audio;
            tap = socket;
        });
    }

    /** Stops the consent checks this viewer sends to an ICE-lite edge every 2 s once connected. */
    public void stopConsent() {
        transport.stopConsent();
    }

    /** Milliseconds from sending the answer to holding the SRTP keys (ICE + DTLS). */
    /** The SRTP profile the edge picked for this viewer (empty until secured). */
    public java.util.Optional<p2pedge.media.rtc.SrtpProfile> srtpProfile() {
        return transport.srtpProfile();
    }

    public double connectMillis() {
        return (securedAtNanos - answeredAtNanos) / 1e6;
    }

    /** A frame's first packet ({@code readNanos}: when it came in): when it came, by the last sender report's clock. */
    private void onVideoTimestamp(long timestamp, long readNanos) {
        if (timestamp == lastFrameTimestamp) {
            return;
        }
        lastFrameTimestamp = timestamp;
        if (reportMillis < 0) {
            return;
        }
        double captured = reportMillis + (int) (timestamp - reportRtp) / 90.0; // video's RTP clock: 90 kHz
        double arrived = wallMillisAtNanoZero + readNanos / 1e6;
        if (frameDelayCount == frameDelays.length) {
            if (frameDelayCount >= MAX_FRAME_DELAYS) {
                return; // nobody takes them: keep what there is
            }
            frameDelays = java.util.Arrays.copyOf(frameDelays, frameDelayCount * 2);
        }
        frameDelays[frameDelayCount++] = Math.round((arrived - captured) * 1000);
    }

    /** Frame delays kept untaken at most (about 5 minutes of 30 frames a second). */
    private static final int MAX_FRAME_DELAYS = 1 << 14;

    private static double ntpToUnixMillis(long ntp) {
        return ((ntp >>> 32) - 2_208_988_800L) * 1000.0 + (ntp & 0xFFFFFFFFL) * 1000.0 / 4_294_967_296.0;
    }

    /**
     * The frame delays (microseconds, see {@link #frameDelays}) since the last call: each video frame's first packet's
     * arrival less its capture time by the source's sender reports, up to a constant the same for every viewer.
     */
    public Future<long[]> takeFrameDelays() {
        Promise<long[]> promise = Promise.promise();
        context.runOnContext(v -> {
            promise.complete(java.util.Arrays.copyOf(frameDelays, frameDelayCount));
            frameDelayCount = 0;
        });
        return promise.future();
    }

    /** The track of {@code ssrc}, made when it is first seen. */
    private Track track(int ssrc) {
        Track track = existingTrack(ssrc);
        if (track == null) {
            track = new Track(ssrc);
            tracks = java.util.Arrays.copyOf(tracks, tracks.length + 1);
            tracks[tracks.length - 1] = track;
        }
        return track;
    }

    private Track existingTrack(int ssrc) {
        for (Track track : tracks) {
            if (track.ssrc == ssrc) {
                return track;
            }
        }
        return null;
    }

    /** A consistent snapshot, taken on the viewer's context. */
    public Future<Counts> counts() {
        Promise<Counts> promise = Promise.promise();
        context.runOnContext(v -> {
            long packets = 0;
            long expected = 0;
            for (Track track : tracks) {
                packets += track.received;
                expected += track.expected();
            }
            promise.complete(new Counts(packets, bytes, expected, refused.get(), System.nanoTime()));
        });
        return promise.future();
    }

    private void onSignalling(String text) {
        JsonObject message = new JsonObject(text);
        switch (message.getString("command", "")) {
            case "offer" -> onOffer(message);
            case "candidate" -> addCandidates(message.getJsonArray("candidates"));
            case "ping" -> socket.writeTextMessage(new JsonObject().put("command", "pong").encode());
            default -> {
                if (message.containsKey("error") || message.getInteger("code", 200) >= 400) {
                    secured.tryFail("edge refused: " + text);
                }
            }
        }
    }

    private void onOffer(JsonObject message) {
        sessionId = message.getLong("id");
        String answer = answer(message.getJsonObject("sdp").getString("sdp"));
        if (answer == null) {
            return;
        }
        addCandidates(message.getJsonArray("candidates"));
        JsonArray ours = new JsonArray().add(new JsonObject()
                .put("candidate", ownCandidate()).put("sdpMLineIndex", 0).put("sdpMid", firstMid));
        answeredAtNanos = System.nanoTime();
        socket.writeTextMessage(new JsonObject().put("command", "answer").put("id", sessionId).put("peer_id", 0)
                .put("sdp", new JsonObject().put("type", "answer").put("sdp", answer))
                .put("candidates", ours).encode());
        connectTransport();
    }

    private String ownCandidate() {
        return CandidateLine.udp(CandidateLine.Type.HOST, 1, "127.0.0.1", localPort).format();
    }

    /** The answer to {@code offer} (its transport read on the way), or null (and the viewer failed) when it lacks one. */
    private String answer(String offer) {
        StringBuilder answer = new StringBuilder("v=0\r\no=- " + (RANDOM.nextLong() >>> 1) + " 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
        List<String> mids = new ArrayList<>();
        StringBuilder sections = new StringBuilder();
        for (String section : offer.split("\r\nm=")) {
            if (!section.startsWith("v=")) {
                answerSection("m=" + section, sections, mids);
            }
            for (String line : section.split("\r\n")) {
                readTransport(line);
            }
        }
        answer.append("a=group:BUNDLE ").append(String.join(" ", mids)).append("\r\na=msid-semantic: WMS\r\n").append(sections);
        if (edgeUfrag == null || edgePassword == null || edgeFingerprint == null || mids.isEmpty()) {
            secured.tryFail("offer lacks ICE credentials, a fingerprint or a media section");
            return null;
        }
        firstMid = mids.get(0);
        return answer.toString();
    }

    /** ICE and DTLS-SRTP with the server whose offer was answered; the viewer fails if they take over 15 s. */
    private void connectTransport() {
        transport.connect(new ClientTransport.Remote(edgeUfrag, edgePassword, edgeFingerprint, edgeIsLite)).onComplete(ar -> {
            if (ar.succeeded()) {
                securedAtNanos = System.nanoTime();
                vertx.cancelTimer(deadlineTimer);
                if (transportId > 0) {
                    feedbackTimer = vertx.setPeriodic(FEEDBACK_INTERVAL_MS, t -> sendFeedback());
                }
                secured.tryComplete();
            } else {
                secured.tryFail(ar.cause());
            }
        });
        deadlineTimer = vertx.setTimer(15_000, t -> secured.tryFail("ICE/DTLS not done within 15 s (checks to "
                + transport.candidates() + ")"));
    }

    private void readTransport(String line) {
        if (line.startsWith("a=ice-ufrag:")) {
            edgeUfrag = line.substring(12).trim();
        } else if (line.startsWith("a=ice-pwd:")) {
            edgePassword = line.substring(10).trim();
        } else if (line.startsWith("a=fingerprint:sha-256 ")) {
            edgeFingerprint = line.substring(22).trim();
        } else if (line.equals("a=ice-lite")) {
            edgeIsLite = true;
        } else if (line.startsWith("a=candidate:")) {
            addCandidate(line.substring(2));
        }
    }

    /** Accepts VP8 and Opus (the first of each the offer lists) receive-only; rejects every other section. */
    private void answerSection(String section, StringBuilder out, List<String> mids) {
        String[] lines = section.split("\r\n");
        String[] mLine = lines[0].substring(2).split(" ");
        String kind = mLine[0];
        String mid = null;
        String chosen = null;
        String rtpmap = null;
        String wanted = kind.equals("video") ? "VP8/90000" : kind.equals("audio") ? "opus/48000/2" : "";
        String transportExtmap = null;
        for (String line : lines) {
            if (transportFeedback && line.startsWith("a=extmap:") && line.endsWith(" " + TransportSequence.URI)) {
                transportExtmap = line;
                transportId = Integer.parseInt(line.substring(9, line.indexOf(' ')));
            }
            if (kind.equals("video") && line.startsWith("a=ssrc:") && videoSsrc == 0) { // the media's, not its RTX
                videoSsrc = (int) Long.parseLong(line.substring(7, line.indexOf(' ')));
            }
            if (line.startsWith("a=mid:")) {
                mid = line.substring(6).trim();
            } else if (chosen == null && line.startsWith("a=rtpmap:") && line.toLowerCase().endsWith(" " + wanted.toLowerCase())) {
                chosen = line.substring(9, line.indexOf(' '));
                rtpmap = line;
            }
        }
        if (mid == null) {
            return;
        }
        mids.add(mid);
        if (chosen == null) {
            out.append("m=").append(kind).append(" 0 ").append(mLine[2]).append(' ').append(mLine[3]).append("\r\nc=IN IP4 0.0.0.0\r\na=mid:")
                    .append(mid).append("\r\na=inactive\r\n");
            return;
        }
        out.append("m=").append(kind).append(" 9 UDP/TLS/RTP/SAVPF ").append(chosen).append("\r\n")
                .append("c=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n")
                .append("a=ice-ufrag:").append(transport.ufrag()).append("\r\na=ice-pwd:").append(transport.password()).append("\r\n")
                .append("a=fingerprint:sha-256 ").append(identity.fingerprint()).append("\r\na=setup:active\r\n")
                .append("a=mid:").append(mid).append("\r\na=recvonly\r\na=rtcp-mux\r\n").append(rtpmap).append("\r\n");
        if (transportExtmap != null) {
            out.append(transportExtmap).append("\r\na=rtcp-fb:").append(chosen).append(" transport-cc\r\n");
        }
        if (kind.equals("video") && bitrateKbps > 0) {
            out.append("a=fmtp:").append(chosen).append(" x-google-start-bitrate=").append(bitrateKbps)
                    .append(";x-google-min-bitrate=").append(bitrateKbps).append(";x-google-max-bitrate=").append(bitrateKbps).append("\r\n");
        }
    }

    private void addCandidates(JsonArray candidates) {
        if (candidates != null) {
            for (Object candidate : candidates) {
                addCandidate(((JsonObject) candidate).getString("candidate", ""));
            }
        }
    }

    /** Loopback UDP host candidates only (or a bench namespace's): that is where the benchmarks and the tests run. */
    private void addCandidate(String candidate) {
        CandidateLine.parse(candidate).filter(c -> c.udp() && (candidateAddress == null ? c.address().startsWith("127.")
                        : c.address().equals(candidateAddress))).map(CandidateLine::socketAddress)
                .ifPresent(transport::addCandidate);
    }

    /** The newest {@code n} video sequence numbers this viewer has seen (the edge still holds them for NACKs). */
    public Future<int[]> recentVideoSequences(int n) {
        Promise<int[]> promise = Promise.promise();
        context.runOnContext(v -> {
            Track video = existingTrack(videoSsrc);
            if (video == null || video.highestSequence < 0) {
                promise.complete(new int[0]);
                return;
            }
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = (int) ((video.highestSequence - n + 1 + i) & 0xFFFF);
            }
            promise.complete(out);
        });
        return promise.future();
    }

    /**
     * Sends one generic NACK (RFC 4585 6.2.1) for the video: each entry of {@code pids} is an FCI with every bit of
     * its bitmask set (that packet and the 16 after it), so a list repeating one pid names the same 17 packets
     * again and again, as a hostile player's would.
     */
    public Future<Void> sendNack(int[] pids) {
        ByteBuffer nack = ByteBuffer.allocate(12 + 4 * pids.length)
                .put((byte) 0x81).put((byte) 205).putShort((short) (2 + pids.length)).putInt(ownSsrc).putInt(videoSsrc);
        for (int pid : pids) {
            nack.putShort((short) pid).putShort((short) 0xFFFF);
        }
        return sendRtcp(nack.array());
    }

    /** Sends a Picture Loss Indication for the video. */
    public Future<Void> sendPli() {
        return sendRtcp(ByteBuffer.allocate(12).put((byte) 0x81).put((byte) 206).putShort((short) 2).putInt(ownSsrc)
                .putInt(videoSsrc).array());
    }

    /** What arrived since the last feedback, as a browser reports it (on the viewer's context). */
    private void sendFeedback() {
        byte[] message = feedback.write(ownSsrc, videoSsrc);
        if (message != null && !closed) {
            try {
                transport.sendRtcp(message);
            } catch (java.security.GeneralSecurityException e) {
                // the keys are gone with the connection: nothing to report to
            }
        }
    }

    private Future<Void> sendRtcp(byte[] plain) {
        Promise<Void> promise = Promise.promise();
        context.runOnContext(v -> {
            try {
                if (transport.sendRtcp(plain)) {
                    promise.complete();
                } else {
                    promise.fail("not connected");
                }
            } catch (java.security.GeneralSecurityException e) {
                promise.fail(e);
            }
        });
        return promise.future();
    }

    /** Says {@code stop}, closes the socket and the UDP port; safe to call more than once. */
    public Future<Void> close() {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            if (closed) {
                done.complete();
                return;
            }
            closed = true;
            vertx.cancelTimer(deadlineTimer);
            vertx.cancelTimer(feedbackTimer);
            vertx.cancelTimer(keepaliveTimer);
            if (janusSession != 0) {
                try {
                    janus("/janus/" + janusSession, new JsonObject().put("janus", "destroy"));
                } catch (IllegalStateException e) {
                    // the crowd's HTTP client is closed already: Janus times the session out itself
                }
            }
            Future<Void> ws = socket == null || socket.isClosed() ? Future.succeededFuture()
                    : socket.writeTextMessage(new JsonObject().put("command", "stop").put("id", sessionId).encode())
                    .transform(ar -> socket.close());
            if (polled != null) {
                polled.remove(); // before its socket closes: the descriptor's number is the kernel's to reuse
            }
            Future<Void> port = transport.close();
            Future.join(ws, port).<Void>mapEmpty().onComplete(ar -> done.complete());
        });
        return done.future();
    }
}
