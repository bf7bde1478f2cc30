package p2pedge.bench;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Synthetic players for the signalling bench, cheap enough that the edge, not the load client, is what a step
 * measures: every player's WebSocket (RFC 6455, client frames masked) on one selector thread, no futures, no thread
 * per join. Each plays its part as {@code testing.AutoPlayer} does, with fake SDP: asks for the stream, answers its
 * host's offer, offers to the clients the edge gives it, asks again when its host leaves, and answers the edge's pings.
 * At most {@code inFlight} WebSocket handshakes are open at once ({@link #join} waits for a place).
 */
final class RawPlayers implements AutoCloseable {

    private static final String SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n";
    private static final int TEXT = 1;
    private static final int CLOSE = 8;
    private static final int PING = 9;
    private static final int PONG = 10;

    /** One player, read by the bench thread while the selector thread plays it. */
    final class Player implements SyntheticPlayer {
        private final SocketChannel channel;
        private final Queue<ByteBuffer> pending = new ArrayDeque<>(2);
        private final Set<Long> clients = new HashSet<>(4);
        /** The start of a frame (or of the upgrade's response) whose rest has not come yet; null when none. */
        private ByteBuffer partial;
        /** When the edge accepted permessage-deflate: its messages inflated here, with the context kept. */
        private java.util.zip.Inflater inflater;
        private SelectionKey key;
        private boolean upgraded;
        private boolean holdsPlace = true;
        private volatile long id;
        private volatile long host = -1;
        private volatile long askedAtNanos;
        private volatile long servedAtNanos;
        private volatile boolean closed;
        private boolean leaving;

        private Player(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public long host() {
            return host;
        }

        @Override
        public long askedAtNanos() {
            return askedAtNanos;
        }

        @Override
        public long servedAtNanos() {
            return servedAtNanos;
        }

        @Override
        public void close() {
            actions.add(() -> leave(this));
            selector.wakeup();
        }
    }

    private final InetSocketAddress edge;
    private final String path;
    private final String userAgent;
    private final boolean offerDeflate;
    private final Selector selector;
    private final Semaphore handshakes;
    private final Queue<Runnable> actions = new ConcurrentLinkedQueue<>();
    /**
     * Where every player's bytes are read (the selector thread's only): a buffer of its own per player, 10,000 players
     * held 80 MB the load client's collector scanned at each young collection, a quarter of its CPU.
     */
    private ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    /** @param offerDeflate whether each upgrade offers permessage-deflate, as browsers' do */
    RawPlayers(InetSocketAddress edge, String path, String userAgent, int inFlight, boolean offerDeflate) throws IOException {
        this.edge = edge;
        this.path = path;
        this.userAgent = userAgent;
        this.offerDeflate = offerDeflate;
        this.selector = Selector.open();
        this.handshakes = new Semaphore(inFlight);
        this.thread = new Thread(this::run, "raw-players");
        thread.setDaemon(true);
        thread.start();
    }

    /** A new player from {@code local}: connects, and asks for the stream once upgraded. Waits for a handshake's place. */
    Player join(InetAddress local) throws IOException, InterruptedException {
        if (failure != null) {
            throw new IllegalStateException("the load client failed", failure);
        }
        if (!handshakes.tryAcquire(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no WebSocket handshake completed for 60 s");
        }
        SocketChannel channel = SocketChannel.open();
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel.bind(new InetSocketAddress(local, 0));
        Player player = new Player(channel);
        actions.add(() -> open(player));
        selector.wakeup();
        return player;
    }

    private void run() {
        try {
            while (running) {
                selector.select(100);
                for (Runnable action; (action = actions.poll()) != null; ) {
                    action.run();
                }
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    Player player = (Player) key.attachment();
                    if (!key.isValid()) {
                        continue; // dropped by an earlier action or key of this round
                    }
                    try {
                        if (key.isConnectable() && player.channel.finishConnect()) {
                            handshake(player);
                        }
                        if (key.isValid() && key.isReadable()) {
                            read(player);
                        }
                        if (key.isValid() && key.isWritable()) {
                            flush(player);
                        }
                    } catch (IOException | java.nio.channels.CancelledKeyException e) {
                        drop(player);
                    }
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    private void open(Player player) {
        try {
            player.key = player.channel.register(selector, SelectionKey.OP_CONNECT, player);
            if (player.channel.connect(edge)) {
                handshake(player);
            }
        } catch (IOException e) {
            drop(player);
        }
    }

    private void handshake(Player player) throws IOException {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String request = "GET " + path + " HTTP/1.1\r\nHost: " + edge.getHostString() + ":" + edge.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce)
                + "\r\nSec-WebSocket-Version: 13\r\nUser-Agent: " + userAgent
                + (offerDeflate ? "\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits" : "") + "\r\n\r\n";
        player.key.interestOps(SelectionKey.OP_READ);
        write(player, ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
    }

    private void read(Player player) throws IOException {
        ByteBuffer in = readBuffer.clear();
        if (player.partial != null) {
            if (player.partial.remaining() > in.capacity() / 2) {
                // A message longer than half the buffer: room for it and for what follows.
                readBuffer = in = ByteBuffer.allocateDirect(Integer.highestOneBit(player.partial.remaining()) * 4);
            }
            in.put(player.partial);
            player.partial = null;
        }
        if (player.channel.read(in) < 0) {
            drop(player);
            return;
        }
        in.flip();
        if (!player.upgraded && !readUpgrade(player, in)) {
            keepPartial(player, in);
            return;
        }
        while (player.key.isValid() && readFrame(player, in)) {
            // each complete frame handled
        }
        keepPartial(player, in);
    }

    /** What is left of {@code in}, a frame not all here yet, kept with its player until the rest comes. */
    private static void keepPartial(Player player, ByteBuffer in) {
        if (in.hasRemaining() && !player.closed) {
            player.partial = ByteBuffer.allocate(in.remaining()).put(in).flip();
        }
    }

    /** The HTTP response to the upgrade, when all of it is here; the player then asks for the stream. */
    private boolean readUpgrade(Player player, ByteBuffer in) throws IOException {
        for (int i = in.position(); i + 3 < in.limit(); i++) {
            if (in.get(i) == '\r' && in.get(i + 1) == '\n' && in.get(i + 2) == '\r' && in.get(i + 3) == '\n') {
                byte[] head = new byte[i - in.position()];
                in.get(head);
                in.position(i + 4);
                String response = new String(head, StandardCharsets.US_ASCII);
                if (!response.startsWith("HTTP/1.1 101")) {
                    drop(player);
                    return false;
                }
                if (response.toLowerCase(java.util.Locale.ROOT).contains("sec-websocket-extensions: permessage-deflate")) {
                    player.inflater = new java.util.zip.Inflater(true);
                }
                player.upgraded = true;
                releasePlace(player);
                ask(player);
                return true;
            }
        }
        return false;
    }

    /** One whole frame from the edge (unmasked), handled; false when its bytes are not all here yet. */
    private boolean readFrame(Player player, ByteBuffer in) throws IOException {
        int start = in.position();
        if (in.remaining() < 2) {
            return false;
        }
        int opcode = in.get(start) & 0x0F;
        long length = in.get(start + 1) & 0x7F;
        int header = 2;
        if (length == 126) {
            if (in.remaining() < 4) {
                return false;
            }
            length = in.getShort(start + 2) & 0xFFFF;
            header = 4;
        } else if (length == 127) {
            if (in.remaining() < 10) {
                return false;
            }
            length = in.getLong(start + 2);
            header = 10;
        }
        if (in.remaining() < header + length) {
            return false;
        }
        byte[] payload = new byte[(int) length];
        in.position(start + header);
        in.get(payload);
        switch (opcode) {
            case TEXT -> onMessage(player, new JsonObject(new String(
                    (in.get(start) & 0x40) != 0 ? inflate(player, payload) : payload, StandardCharsets.UTF_8)));
            case PING -> write(player, frame(PONG, payload));
            case CLOSE -> {
                // The server closes the TCP connection after its close frame (RFC 6455 7.1.1), so the TIME_WAIT
                // stays with it: thousands in this process would make each new socket's bind hunt for a port.
                if (!player.leaving) {
                    player.leaving = true;
                    write(player, frame(CLOSE, payload));
                }
            }
            default -> { }
        }
        return true;
    }

    /** A compressed message (RFC 7692): the payload and the sync flush's tail the sender dropped, inflated. */
    private static byte[] inflate(Player player, byte[] payload) throws IOException {
        if (player.inflater == null) {
            throw new IOException("a compressed frame without permessage-deflate");
        }
        byte[] input = java.util.Arrays.copyOf(payload, payload.length + 4);
        input[payload.length + 2] = (byte) 0xFF;
        input[payload.length + 3] = (byte) 0xFF;
        player.inflater.setInput(input);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(payload.length * 4);
        byte[] chunk = new byte[4096];
        try {
            int n;
            while ((n = player.inflater.inflate(chunk)) > 0) {
                out.write(chunk, 0, n);
            }
        } catch (java.util.zip.DataFormatException e) {
            throw new IOException(e);
        }
        return out.toByteArray();
    }

    private void onMessage(Player player, JsonObject message) throws IOException {
        String command = message.getString("command", "");
        long peer = message.getLong("peer_id", 0L);
        switch (command) {
            case "offer" -> {
                player.id = message.getLong("id");
                player.servedAtNanos = System.nanoTime();
                player.host = peer;
                if (peer != 0) {
                    send(player, new JsonObject().put("command", "answer").put("id", player.id).put("peer_id", peer)
                            .put("sdp", new JsonObject().put("type", "answer").put("sdp", SDP)));
                }
            }
            case "request_offer_p2p" -> {
                player.id = message.getLong("id");
                player.clients.add(peer);
                send(player, new JsonObject().put("command", "offer_p2p").put("id", player.id).put("peer_id", peer)
                        .put("sdp", new JsonObject().put("type", "offer").put("sdp", SDP)));
            }
            case "stop" -> {
                if (!player.clients.remove(peer) && peer == player.host && !player.leaving) {
                    player.host = -1;
                    ask(player);
                }
            }
            default -> { }
        }
    }

    private void ask(Player player) throws IOException {
        player.askedAtNanos = System.nanoTime();
        send(player, new JsonObject().put("command", "request_offer"));
    }

    private void send(Player player, JsonObject message) throws IOException {
        write(player, frame(TEXT, message.encode().getBytes(StandardCharsets.UTF_8)));
    }

    /** A client frame: FIN, the opcode, the length, a mask and the masked payload. */
    private static ByteBuffer frame(int opcode, byte[] payload) {
        int lengthBytes = payload.length < 126 ? 0 : payload.length <= 0xFFFF ? 2 : 8;
        ByteBuffer out = ByteBuffer.allocate(2 + lengthBytes + 4 + payload.length);
        out.put((byte) (0x80 | opcode));
        if (lengthBytes == 0) {
            out.put((byte) (0x80 | payload.length));
        } else if (lengthBytes == 2) {
            out.put((byte) (0x80 | 126)).putShort((short) payload.length);
        } else {
            out.put((byte) (0x80 | 127)).putLong(payload.length);
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        out.put(mask);
        for (int i = 0; i < payload.length; i++) {
            out.put((byte) (payload[i] ^ mask[i & 3]));
        }
        return out.flip();
    }

    private void write(Player player, ByteBuffer bytes) throws IOException {
        if (player.pending.isEmpty()) {
            player.channel.write(bytes);
            if (!bytes.hasRemaining()) {
                return;
            }
        }
        player.pending.add(bytes);
        player.key.interestOps(player.key.interestOps() | SelectionKey.OP_WRITE);
    }

    private void flush(Player player) throws IOException {
        while (!player.pending.isEmpty()) {
            ByteBuffer next = player.pending.peek();
            player.channel.write(next);
            if (next.hasRemaining()) {
                return;
            }
            player.pending.poll();
        }
        player.key.interestOps(SelectionKey.OP_READ);
    }

    /**
     * Closing: a close frame, and the socket closed when the edge has closed its side (a stop in flight meanwhile is
     * not a reason to ask again); one still in its handshake is closed at once.
     */
    private void leave(Player player) {
        if (player.leaving || player.closed) {
            player.leaving = true;
            return;
        }
        player.leaving = true;
        try {
            if (player.upgraded && player.key != null && player.key.isValid()) {
                write(player, frame(CLOSE, new byte[]{0x03, (byte) 0xE8}));
                return;
            }
        } catch (IOException e) {
            // closed below
        }
        drop(player);
    }

    private void drop(Player player) {
        player.closed = true;
        if (player.inflater != null) {
            player.inflater.end();
            player.inflater = null;
        }
        releasePlace(player);
        if (player.key != null) {
            player.key.cancel();
        }
        try {
            player.channel.close();
        } catch (IOException e) {
            // nothing more to give back
        }
    }

    private void releasePlace(Player player) {
        if (player.holdsPlace) {
            player.holdsPlace = false;
            handshakes.release();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        selector.wakeup();
        thread.join(10_000);
        for (SelectionKey key : new java.util.ArrayList<>(selector.keys())) {
            drop((Player) key.attachment());
        }
        try {
            selector.close();
        } catch (IOException e) {
            // the JVM is leaving
        }
    }
}
