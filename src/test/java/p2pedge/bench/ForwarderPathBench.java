package p2pedge.bench;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import p2pedge.media.rtc.DatagramSink;
import p2pedge.media.rtc.FanoutWorkers;
import p2pedge.media.rtc.FeedbackLimits;
import p2pedge.media.rtc.FeedbackStats;
import p2pedge.media.rtc.JitsiSrtp;
import p2pedge.media.rtc.KeyframeRequests;
import p2pedge.media.rtc.Pacer;
import p2pedge.media.rtc.RtpForwarder;
import p2pedge.media.rtc.RtpRewriter;
import p2pedge.media.rtc.SrtpKeys;
import p2pedge.media.rtc.SrtpProfile;
import p2pedge.media.rtc.SrtpTransformer;
import p2pedge.media.rtc.TransportSequence;
import p2pedge.media.rtc.UdpChannel;
import p2pedge.media.rtc.VideoCodec;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The forwarder's per-packet path in one process, stage by stage, without a network peer: what one source packet
 * costs per viewer (CPU time of the forwarding thread and of the socket's event loop, from the JVM's per-thread CPU
 * clock, and bytes allocated per viewer packet). Stages: {@code srtp} (protect a 1,200-byte packet, nothing else, in
 * AES_CM_128_HMAC_SHA1_80), {@code gcm} (the same in AEAD_AES_128_GCM), {@code jitsi} (the same as {@code srtp}
 * through jitsi-srtp, which the edge used before its own sender), {@code srtp-in} and {@code gcm-in} (check and
 * decrypt such a packet, as a viewer does, for PACKETS x 10 packets in sequence),
 * {@code forward} (the whole fan-out to {@code VIEWERS} viewers, each with a pacer as the edge's default gives them:
 * rewrite with abs-send-time and transport-wide numbers in place of the source's extensions, protect, keep for NACKs;
 * the datagrams go nowhere), {@code udp} (the same, each datagram written to a
 * UDP socket on loopback that nobody reads through the edge's {@link UdpChannel}, one system call each, from the
 * forwarding thread), {@code batched} (the same, each source packet's datagrams handed over together, sendmmsg, as the
 * edge's port sends a fan-out: {@link UdpChannel#batched}), {@code sliced} (the same, each fan-out cut into slices on
 * FANOUT_THREADS threads, the forwarding thread's included, each slice's datagrams batched on its own thread:
 * {@link FanoutWorkers}), {@code direct} (each datagram through a plain non-blocking NIO channel, for reference),
 * {@code receive} (the other way: {@code VIEWERS} sockets each send a transport-wide feedback's worth, 80 bytes, every
 * 62 ms, as browsers do, for PACKETS ms, to a port read on a receive tick of RECEIVE_TICK_MS (1, the edge's default);
 * its CPU is the event loop's, which reads them and runs the receiver, per datagram received; the rest of the columns
 * are the sending thread's).
 * Besides the forwarding thread's CPU: its wall time in the fan-out (how long each source packet holds it, what bounds
 * one stream's fan-out rate) and the whole process's CPU, per viewer packet.
 * <p>
 * Environment: VIEWERS (default 500), PACKETS (source packets per run, 2,000), RUNS (5), STAGES ("srtp gcm jitsi
 * srtp-in gcm-in forward udp batched direct receive"), FANOUT_THREADS (2), SRTP_PROFILE (the viewers' in the fan-out
 * stages: AEAD_AES_128_GCM, what the edge settles on with browsers, or AES_CM_128_HMAC_SHA1_80), RECEIVE_TICK_MS (1).
 * Prints each run and, per stage, the median and range over the runs; the rounds go through every stage in turn,
 * after warm-up rounds (not counted) until the JIT has settled (see {@link JitWatch}; at most WARMUP_ROUNDS, 10).
 */
public final class ForwarderPathBench {

    private static final int PACKET_BYTES = 1_200;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /**
     * One run, per viewer packet: ns of the forwarding thread's CPU, of the event loop's, bytes allocated on the
     * forwarding thread, the share refused; ns of the forwarding thread's wall time in the fan-out, of the process's CPU.
     */
    private record Run(double forwardingNs, double loopNs, double bytes, double refused, double wallNs, double processNs) {
    }

    /** Runs one stage by its name. */
    private interface StageRunner {
        Run run(String stage) throws Exception;
    }

    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private static final SrtpProfile PROFILE = SrtpProfile.named("SRTP_PROFILE",
            System.getenv().getOrDefault("SRTP_PROFILE", SrtpProfile.AEAD_AES_128_GCM.name()));

    private static final java.util.concurrent.atomic.AtomicLong REFUSED = new java.util.concurrent.atomic.AtomicLong();

    public static void main(String[] args) throws Exception {
        int viewers = BenchEnv.integer("VIEWERS", 500);
        int packets = BenchEnv.integer("PACKETS", 2_000);
        int runs = BenchEnv.integer("RUNS", 5);
        List<String> stages = List.of(System.getenv().getOrDefault("STAGES", "srtp gcm jitsi srtp-in gcm-in forward udp batched direct receive").trim().split("\\s+"));
        int fanoutThreads = BenchEnv.integer("FANOUT_THREADS", 2);
        System.out.printf(Locale.ROOT, "machine: %d cores; %d viewers, %d source packets of %d bytes per run, %d runs after "
                        + "a warm-up; CPU: per-thread CPU time (ThreadMXBean) per viewer packet; the viewers' SRTP in the "
                        + "fan-out stages: %s%n",
                Runtime.getRuntime().availableProcessors(), viewers, packets, PACKET_BYTES, runs, PROFILE);
        Vertx vertx = Vertx.vertx();
        try (DatagramChannel sink = DatagramChannel.open()) {
            sink.bind(new InetSocketAddress("127.0.0.1", 0));
            InetSocketAddress sinkAddress = (InetSocketAddress) sink.getLocalAddress();
            Context context = vertx.getOrCreateContext();
            UdpChannel socket = UdpChannel.bind(context, "127.0.0.1", 0, 0, (data, from, readNanos) -> { }).await(10, TimeUnit.SECONDS);
            long loopId = eventLoopThreadId(context);
            DatagramChannel direct = DatagramChannel.open();
            direct.bind(new InetSocketAddress("127.0.0.1", 0));
            direct.configureBlocking(false);
            StageRunner stage = name -> switch (name) {
                case "srtp" -> srtp(packets * 10, SrtpProfile.AES_CM_128_HMAC_SHA1_80, false);
                case "gcm" -> srtp(packets * 10, SrtpProfile.AEAD_AES_128_GCM, false);
                case "jitsi" -> srtp(packets * 10, SrtpProfile.AES_CM_128_HMAC_SHA1_80, true);
                case "srtp-in" -> unprotect(packets * 10, SrtpProfile.AES_CM_128_HMAC_SHA1_80);
                case "gcm-in" -> unprotect(packets * 10, SrtpProfile.AEAD_AES_128_GCM);
                case "forward" -> forward(viewers, packets, (to, datagram, length) -> { }, -1, null, null);
                case "udp" -> forward(viewers, packets, (to, datagram, length) -> count(socket.send(datagram, length, sinkAddress)), loopId,
                        null, null);
                case "batched" -> forward(viewers, packets, (to, datagram, length) -> count(socket.send(datagram, length, sinkAddress)), loopId,
                        socket, null);
                case "sliced" -> {
                    try (FanoutWorkers workers = new FanoutWorkers(fanoutThreads, work -> socket.batched(() -> {
                        work.run();
                        return null;
                    }, REFUSED::addAndGet))) {
                        yield forward(viewers, packets, (to, datagram, length) -> count(socket.send(datagram, length, sinkAddress)),
                                loopId, socket, workers);
                    }
                }
                case "receive" -> receive(vertx, viewers, packets, BenchEnv.integer("RECEIVE_TICK_MS", 1));
                case "direct" -> forward(viewers, packets, (to, datagram, length) -> count(sendDirect(direct, datagram, length, sinkAddress)), -1,
                        null, null);
                default -> throw new IllegalArgumentException("unknown stage " + name);
            };
            // Warm-up rounds until the JIT has settled: the SRTP stages' compiled code arrives only after some 150,000
            // packets, and a single warm-up round left a stage run on its own measuring the interpreter.
            System.out.println(new JitWatch(ProcessHandle.current().pid()).settle(JitWatch.SETTLED,
                    BenchEnv.integer("WARMUP_ROUNDS", 10), "every stage once", () -> {
                        for (String name : stages) {
                            stage.run(name);
                        }
                    }));
            // Runs alternate between the stages, so the machine's drift over time falls on each alike.
            Map<String, List<Run>> measured = new LinkedHashMap<>();
            for (int run = 1; run <= runs; run++) {
                for (String name : stages) {
                    Run r = stage.run(name);
                    System.out.printf(Locale.ROOT, "%-8s run %d: forwarding thread %7.0f ns (wall %7.0f ns), event loop %7.0f ns, "
                                    + "process %7.0f ns, %6.0f bytes allocated per viewer packet; %.2f%% of the datagrams refused%n",
                            name, run, r.forwardingNs, r.wallNs, r.loopNs, r.processNs, r.bytes, r.refused * 100);
                    measured.computeIfAbsent(name, s -> new ArrayList<>()).add(r);
                }
            }
            measured.forEach((name, of) -> System.out.printf(Locale.ROOT, "%-8s median (range) over %d runs: forwarding thread "
                            + "%s ns, event loop %s ns, together %s ns; the forwarding thread's wall time %s ns, the process's "
                            + "CPU %s ns; allocated %s bytes per viewer packet%n", name, runs,
                    spread(of.stream().mapToDouble(Run::forwardingNs).toArray()),
                    spread(of.stream().mapToDouble(Run::loopNs).toArray()),
                    spread(of.stream().mapToDouble(r -> r.forwardingNs + r.loopNs).toArray()),
                    spread(of.stream().mapToDouble(Run::wallNs).toArray()),
                    spread(of.stream().mapToDouble(Run::processNs).toArray()),
                    spread(of.stream().mapToDouble(Run::bytes).toArray())));
            socket.close().await(5, TimeUnit.SECONDS);
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    /** Checks and decrypts {@code count} packets, protected beforehand (not timed): what every viewer does per packet. */
    private static Run unprotect(int count, SrtpProfile profile) throws Exception {
        SrtpKeys keys = keys(profile, new Random(1));
        SrtpTransformer peer = SrtpTransformer.forClientSending(keys);
        SrtpTransformer srtp = SrtpTransformer.forReceiving(keys);
        byte[] packet = vp8(0, false);
        byte[][] secured = new byte[count][];
        for (int i = 0; i < count; i++) {
            packet[2] = (byte) (i >> 8);
            packet[3] = (byte) i;
            secured[i] = peer.protectRtp(packet);
        }
        Meter meter = new Meter(-1);
        for (byte[] datagram : secured) {
            if (srtp.unprotectRtp(datagram).isEmpty()) {
                throw new IllegalStateException("a packet failed its check");
            }
        }
        return meter.per(count, meter.elapsedNanos(), 0);
    }

    private static Run srtp(int count, SrtpProfile profile, boolean jitsi) throws Exception {
        SrtpTransformer srtp = SrtpTransformer.forSending(keys(profile, new Random(1)));
        byte[] packet = vp8(0, false);
        try (JitsiSrtp reference = JitsiSrtp.forSending(keys(profile, new Random(1)))) {
            Meter meter = new Meter(-1);
            for (int i = 0; i < count; i++) {
                packet[2] = (byte) (i >> 8);
                packet[3] = (byte) i;
                if (jitsi) {
                    reference.protectRtp(packet);
                } else {
                    srtp.protectRtp(packet);
                }
            }
            return meter.per(count, meter.elapsedNanos(), 0);
        }
    }

    /**
     * Fans {@code packets} out to {@code viewers}; {@code loopId} the event loop whose CPU counts too (-1: none); each
     * packet's fan-out batched on {@code batching} (null: not), and cut into slices on {@code workers} (null: not).
     */
    private static Run forward(int viewers, int packets, DatagramSink sender, long loopId,
                               UdpChannel batching, FanoutWorkers workers) throws Exception {
        KeyframeRequests keyframes = new KeyframeRequests(350, System::nanoTime, ssrc -> { });
        RtpForwarder forwarder = new RtpForwarder(sender, keyframes, VideoCodec.VP8, FeedbackLimits.DEFAULT, new FeedbackStats(),
                System::nanoTime, workers);
        Random random = new Random(2);
        for (int v = 0; v < viewers; v++) {
            SrtpTransformer srtp = SrtpTransformer.forSending(keys(PROFILE, random));
            TransportSequence transport = new TransportSequence(System::nanoTime);
            RtpRewriter rewriter = new RtpRewriter(random.nextInt(), 96, 3, TransportSequence.OFFERED_ID, transport);
            // As the edge gives each viewer with transport-wide feedback (its default): a pacer, which lets
            // everything through at once until the viewer's path is measured.
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", 9);
            Pacer pacer = new Pacer((datagram, length) -> sender.send(to, datagram, length), () -> { }, transport, System::nanoTime);
            forwarder.add("v" + v, new RtpForwarder.Viewer(to, rewriter, srtp, pacer));
        }
        forwarder.onSourceRtp(vp8(0, true)); // every viewer starts at a keyframe
        REFUSED.set(0);
        Meter meter = new Meter(loopId);
        long wall = 0; // the fan-outs' own time, not the pauses between them
        for (int i = 1; i <= packets; i++) {
            byte[] packet = vp8(i, false);
            long start = System.nanoTime();
            if (batching == null) {
                forwarder.onSourceRtp(packet);
            } else {
                batching.batched(() -> forwarder.onSourceRtp(packet), REFUSED::addAndGet);
            }
            wall += System.nanoTime() - start;
            Thread.sleep(1); // a source's pace, roughly (every stage alike): a loop writes what was handed to it meanwhile
        }
        if (loopId >= 0) {
            Thread.sleep(200); // what is still queued gets written
        }
        double sent = (double) viewers * packets;
        return meter.per(sent, wall, REFUSED.get() / sent);
    }

    /** See the class comment: {@code senders} sockets' feedback to a port with a receive tick, for {@code millis}. */
    private static Run receive(Vertx vertx, int senders, int millis, int tickMillis) throws Exception {
        Context context = vertx.getOrCreateContext();
        java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
        UdpChannel port = UdpChannel.bind(context, "127.0.0.1", 0, 1 << 22, tickMillis, (data, from, readNanos) -> received.incrementAndGet())
                .await(10, TimeUnit.SECONDS);
        long loopId = eventLoopThreadId(context);
        List<DatagramChannel> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < senders; i++) {
                DatagramChannel socket = DatagramChannel.open();
                sockets.add(socket);
                socket.bind(new InetSocketAddress("127.0.0.1", 0));
                socket.configureBlocking(false);
            }
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", port.localPort());
            java.nio.ByteBuffer feedback = java.nio.ByteBuffer.allocate(80);
            Meter meter = new Meter(loopId);
            long sent = 0;
            // Each socket once every 62 ms, their sends spread evenly over the interval, checked every millisecond.
            for (int ms = 1; ms <= millis; ms++) {
                long due = (long) ms * senders / 62;
                for (; sent < due; sent++) {
                    sockets.get((int) (sent % senders)).send(feedback.clear(), to);
                }
                long wait = ms * 1_000_000L - meter.elapsedNanos();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            long wall = meter.elapsedNanos();
            long deadline = System.currentTimeMillis() + 2_000;
            while (received.get() < sent && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
            long got = received.get();
            return meter.per(got, wall, 1 - (double) got / sent);
        } finally {
            for (DatagramChannel socket : sockets) {
                socket.close();
            }
            port.close().await(5, TimeUnit.SECONDS);
        }
    }

    /**
     * What a stage spends from the meter's making on: the calling thread's CPU and allocation, an event loop's CPU
     * ({@code loopId}; -1: none), the process's CPU and the wall clock.
     */
    private static final class Meter {
        private final long thread = Thread.currentThread().getId();
        private final long loopId;
        private final long cpu = THREADS.getThreadCpuTime(thread);
        private final long loopCpu;
        private final long allocated = THREADS.getThreadAllocatedBytes(thread);
        private final long process = PROCESS.getProcessCpuTime();
        private final long start = System.nanoTime();

        Meter(long loopId) {
            this.loopId = loopId;
            this.loopCpu = loopId < 0 ? 0 : THREADS.getThreadCpuTime(loopId);
        }

        long elapsedNanos() {
            return System.nanoTime() - start;
        }

        /** Everything so far per one of {@code count}, with {@code wallNanos} as the stage's wall time and the share refused. */
        Run per(double count, long wallNanos, double refused) {
            double loopNs = loopId < 0 ? 0 : THREADS.getThreadCpuTime(loopId) - loopCpu;
            return new Run((THREADS.getThreadCpuTime(thread) - cpu) / count, loopNs / count,
                    (THREADS.getThreadAllocatedBytes(thread) - allocated) / count, refused, wallNanos / count,
                    (PROCESS.getProcessCpuTime() - process) / count);
        }
    }

    private static void count(boolean sent) {
        if (!sent) {
            REFUSED.incrementAndGet();
        }
    }

    private static boolean sendDirect(DatagramChannel channel, byte[] datagram, int length, InetSocketAddress to) {
        try {
            return channel.send(java.nio.ByteBuffer.wrap(datagram, 0, length), to) > 0;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long eventLoopThreadId(Context context) throws Exception {
        java.util.concurrent.CompletableFuture<Long> id = new java.util.concurrent.CompletableFuture<>();
        context.runOnContext(v -> id.complete(Thread.currentThread().getId()));
        return id.get(5, TimeUnit.SECONDS);
    }

    private static SrtpKeys keys(SrtpProfile profile, Random random) {
        byte[] material = new byte[profile.exportLength()];
        random.nextBytes(material);
        return SrtpKeys.fromExporter(profile, material);
    }

    /**
     * A VP8 packet of {@link #PACKET_BYTES} as a libwebrtc publisher sends it: a header extension block (abs-send-time
     * and transport-wide sequence number, the publisher's ids, which the edge replaces), descriptor with S set, payload
     * header (P clear on a keyframe).
     */
    private static byte[] vp8(int sequence, boolean keyframe) {
        byte[] packet = new byte[PACKET_BYTES];
        byte[] header = {(byte) 0x90, 96, (byte) (sequence >> 8), (byte) sequence, 0, 0, 0, (byte) sequence, 0, 0, 0, 7,
                (byte) 0xBE, (byte) 0xDE, 0, 2, 0x22, 1, 2, 3, 0x51, (byte) (sequence >> 8), (byte) sequence, 0,
                0x10, (byte) (keyframe ? 0x10 : 0x11), 0x02, 0x00};
        System.arraycopy(header, 0, packet, 0, header.length);
        return packet;
    }

    private static String spread(double[] values) {
        Spread spread = Spread.of(values);
        return String.format(Locale.ROOT, "%.0f (%.0f .. %.0f)", spread.median(), spread.min(), spread.max());
    }
}
