package p2pedge.signalling;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.ServerWebSocket;
import p2pedge.config.EdgeConfig;
import p2pedge.config.EdgeConfig.P2pConsent;
import p2pedge.media.MediaApi;
import p2pedge.metrics.EdgeMetrics;
import p2pedge.p2p.NatMapping;
import p2pedge.p2p.P2pApi;
import p2pedge.p2p.Reachability;
import p2pedge.signalling.protocol.EdgeMessages;
import p2pedge.signalling.protocol.PlayerMessage;
import p2pedge.signalling.protocol.PlayerMessageParser;
import p2pedge.signalling.protocol.ProtocolException;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Logger;

/**
 * One player's signalling session: its socket, its id, and where it stands in the offer/answer exchange.
 * Confined to the signalling verticle's event loop.
 */
final class PlayerSession {

    private static final Logger LOG = Logger.getLogger(PlayerSession.class.getName());

    /** WebSocket close codes (RFC 6455). */
    static final short CLOSE_NORMAL = 1000;
    static final short CLOSE_GOING_AWAY = 1001;
    static final short CLOSE_POLICY = 1008;
    static final short CLOSE_TOO_BIG = 1009;
    static final short CLOSE_ERROR = 1011;

    /** IDLE until request_offer; PLACING while classified; OFFERING..ANSWERED served by the edge; CLIENT of a host. */
    enum State { IDLE, PLACING, OFFERING, OFFERED, ANSWERED, CLIENT, CLOSED }

    private final long id;
    private final String stream;
    private final String userAgent;
    /** What the player agreed to in P2P (its token, or the edge's default): placement never asks more of it. */
    private final P2pConsent consent;
    private final ServerWebSocket socket;
    private final EdgeConfig.Signalling limits;
    private final List<EdgeConfig.IceServer> iceServers;
    private final MediaApi media;
    private final RelayCoordinator relays;
    private final EdgeMetrics metrics;
    private final TokenBucket rate;
    private final PendingOffer pendingOffer;
    private State state = State.IDLE;
    private P2pApi.Role role;
    private boolean hasEdgeConnection;
    /** The stream's video bitrate as the edge's last offer announced it (kbit/s; 0: not known). */
    private int streamKbps;
    private int protocolErrors;
    /** How often the player says its picture froze on its current connection (-1: it never said). */
    private int reportedFreezes = -1;
    private long lastHeardNanos = System.nanoTime();
    /** What the next edge offer answers, for the offer-stage timers (null: not timed, as a fallback after a silent host). */
    private EdgeMetrics.OfferAsked offerAsked;
    /** When that request_offer arrived, or the stop saying an offer follows was sent. */
    private long offerAskedNanos;
    /** How other players can reach this one: its address, and its NAT mapping once its page's probe is checked. */
    private Reachability reachability;
    /** The edge's offer, asked for while classification places the player after a stop (see {@link #prepareOffer}). */
    private Future<MediaApi.Offer> preparedOffer;

    /** Takes the sections it uses: the signalling limits and the ICE servers handed to players in offers. */
    PlayerSession(long id, String stream, String userAgent, P2pConsent consent, ServerWebSocket socket, EdgeConfig config,
                  MediaApi media, RelayCoordinator relays, EdgeMetrics metrics, PendingOffer pendingOffer) {
        this.metrics = metrics;
        this.consent = consent;
        this.pendingOffer = pendingOffer;
        this.id = id;
        this.stream = stream;
        this.userAgent = userAgent;
        this.socket = socket;
        this.limits = config.signalling();
        this.iceServers = config.iceServers();
        this.media = media;
        this.relays = relays;
        this.rate = new TokenBucket(limits.messagesPerSecond(), limits.messageBurst(), lastHeardNanos);
        this.reachability = Reachability.unmeasured(remoteAddress());
    }

    long id() {
        return id;
    }

    State state() {
        return state;
    }

    String stream() {
        return stream;
    }

    P2pConsent consent() {
        return consent;
    }

    String userAgent() {
        return userAgent;
    }

    /** The IP the player's socket comes from (null if unknown): who vouches for its reports on P2P relays. */
    String remoteAddress() {
        return socket.remoteAddress() == null ? null : socket.remoteAddress().hostAddress();
    }

    Reachability reachability() {
        return reachability;
    }

    /** Host, edge-only or client; null before the first placement. */
    P2pApi.Role role() {
        return role;
    }

    boolean isOpen() {
        return state != State.CLOSED;
    }

    /**
     * Every message to the player but the last error goes through here. A player that does not read (its socket's
     * write queue full) is closed rather than buffered for without bound.
     */
    void send(String text) {
        // A socket closed under a session that has not heard it yet (its close handler comes next): a Vert.x
        // socket throws on any write once closed, which would abort whoever is sending, e.g. another player's goodbye.
        if (!isOpen() || socket.isClosed()) {
            return;
        }
        if (socket.writeQueueFull()) {
            LOG.info(() -> "session " + id + ": not reading its messages, closed (slow consumer)");
            metrics.signallingError("slow_consumer");
            socket.close(CLOSE_POLICY, "slow consumer");
            onClosed();
            return;
        }
        socket.writeTextMessage(text);
    }

    long lastHeardNanos() {
        return lastHeardNanos;
    }

    void heard() {
        lastHeardNanos = System.nanoTime();
    }

    void onText(String text) {
        heard();
        if (state == State.CLOSED) {
            return;
        }
        if (!rate.tryTake(lastHeardNanos)) {
            fail(429, "too many messages: limit is " + limits.messagesPerSecond() + "/s", CLOSE_POLICY);
            return;
        }
        if (text.length() > limits.maxFrameBytes()
                || text.getBytes(StandardCharsets.UTF_8).length > limits.maxFrameBytes()) {
            fail(413, "message larger than " + limits.maxFrameBytes() + " bytes", CLOSE_TOO_BIG);
            return;
        }
        try {
            PlayerMessage message = PlayerMessageParser.parse(text);
            checkId(message);
            handle(message);
        } catch (ProtocolException e) {
            protocolError(e);
        }
    }

    void onBinary() {
        heard();
        protocolError(ProtocolException.badRequest("binary frames are not part of the protocol"));
    }

    /** The socket is gone (closed by either side): release what the session holds, once. */
    void onClosed() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        pendingOffer.settle();
        releaseEdgeConnection();
        relays.sessionClosed(this);
    }

    /** The edge connection ended on its own: 408 an offer not answered in time, else 502 (ICE/DTLS failure, connect timeout). */
    void onEdgeConnectionLost(int code, String reason) {
        hasEdgeConnection = false;
        fail(code, reason, code == MediaApi.OFFER_NOT_ANSWERED ? CLOSE_POLICY : CLOSE_ERROR);
    }

    /**
     * A message over the limit, refused by the frame decoder or by the assembler. Closed at once (not after the
     * error is written): the decoder's own close follows this call and must find the close under way.
     */
    void tooLarge() {
        if (state == State.CLOSED) {
            return;
        }
        int limit = limits.maxFrameBytes();
        metrics.signallingError(413);
        socket.writeTextMessage(EdgeMessages.error(413, "message larger than " + limit + " bytes"));
        socket.close(CLOSE_TOO_BIG, "message larger than " + limit + " bytes");
        onClosed();
    }

    void closeIdle() {
        fail(408, "no sign of life for " + limits.idleTimeoutSeconds() + " s", CLOSE_GOING_AWAY);
    }

    void ping() {
        if (state != State.CLOSED) {
            socket.writePing(Buffer.buffer());
        }
    }

    /** Ends the session from the edge's side (shutdown). */
    void shutdown() {
        if (state != State.CLOSED) {
            socket.close(CLOSE_GOING_AWAY, "edge shutting down");
            onClosed();
        }
    }

    private void checkId(PlayerMessage message) throws ProtocolException {
        if (message.id() == null ? message.requiresId() : message.id() != id) {
            throw ProtocolException.badRequest(message.id() == null ? "missing 'id'" : "'id' does not match this session");
        }
    }

    private void handle(PlayerMessage message) throws ProtocolException {
        // Java 17: no pattern switch; the sealed interface keeps this list complete.
        if (message instanceof PlayerMessage.RequestOffer r) {
            requestOffer(r);
        } else if (message instanceof PlayerMessage.Answer a) {
            answer(a);
        } else if (message instanceof PlayerMessage.Candidates c) {
            candidates(c);
        } else if (message instanceof PlayerMessage.Stop s) {
            if (s.peerId() != null && s.peerId() != 0) {
                relays.stopRelay(this, s.peerId());
            } else {
                stop();
            }
        } else if (message instanceof PlayerMessage.Ping) {
            send(EdgeMessages.pong());
        } else if (message instanceof PlayerMessage.ChangeRendition c) {
            changeRendition(c);
        } else if (message instanceof PlayerMessage.OfferP2p o) {
            relays.offerFromHost(this, o);
        } else if (message instanceof PlayerMessage.CandidateP2p c) {
            relays.candidatesFromHost(this, c);
        } else if (message instanceof PlayerMessage.Stats s) {
            if (s.freezes() != null) {
                reportedFreezes = s.freezes();
            }
            relays.stats(this, s);
        }
        // Pong: keep-alive only, already counted by heard().
    }

    private void requestOffer(PlayerMessage.RequestOffer request) throws ProtocolException {
        if (state == State.OFFERING || state == State.PLACING) {
            throw ProtocolException.badRequest("an offer is already being prepared");
        }
        relays.checkNoOfferPending(this);
        if (!pendingOffer.take()) {
            metrics.refused("signalling", "pending_offers_per_address");
            fail(429, "too many unanswered offers from your address (at most " + pendingOffer.cap() + ")", CLOSE_POLICY);
            return;
        }
        state = State.PLACING;
        offerAsked = EdgeMetrics.OfferAsked.REQUEST_OFFER;
        offerAskedNanos = System.nanoTime();
        if (request.mapped().isEmpty() || reachability.mapping() != NatMapping.UNKNOWN) {
            relays.requestOffer(this, request);
            return;
        }
        // The page's STUN probe: checked against what the edge's STUN ports answered this address, then placed.
        String address = reachability.publicAddress();
        media.stunAnswers(address).onComplete(ar -> {
            if (state != State.PLACING) {
                return; // closed meanwhile
            }
            List<Reachability.Observed> observed = ar.succeeded() ? ar.result().stream()
                    .map(a -> new Reachability.Observed(a.server(), address, a.port())).toList() : List.of();
            reachability = new Reachability(address, Reachability.mapping(address, request.mapped(), observed));
            relays.requestOffer(this, request);
        });
    }

    /** Freezes the player reported (its own claim, for operators; -1 when it never reported). */
    int reportedFreezes() {
        return reportedFreezes;
    }

    /** The stream's video bitrate as the edge announced it to this player (kbit/s; 0: not known). */
    int streamKbps() {
        return streamKbps;
    }

    /** Placed as a host, it stayed silent in its trial: it is an edge-served viewer like any other. */
    void neverHosts() {
        if (role == P2pApi.Role.HOST) {
            role = P2pApi.Role.EDGE;
        }
    }

    /**
     * Moved onto a host (regrouping): a client from now on, its edge connection kept until the relay connects. False
     * (nothing changed) unless it is served by the edge (as a host or not) and its edge connection is up.
     */
    boolean moveToHost() {
        if (role == P2pApi.Role.CLIENT || state != State.ANSWERED || !hasEdgeConnection) {
            return false;
        }
        role = P2pApi.Role.CLIENT;
        state = State.CLIENT;
        return true;
    }

    /** Its relay is over and it was told an offer follows unasked: that offer is timed from {@code stopNanos}. */
    void offerFollowsStop(long stopNanos) {
        offerAsked = EdgeMetrics.OfferAsked.STOP;
        offerAskedNanos = stopNanos;
    }

    /**
     * Its relay is over and placement has begun: the edge's offer is asked for now, beside placement, so that a
     * player the edge serves gets it one round trip to the media plane sooner. A player placed on a host instead
     * closes it again; until then it holds one of the media plane's viewer slots.
     */
    void prepareOffer() {
        hasEdgeConnection = true;
        preparedOffer = media.offer(id, stream);
    }

    /** Placed on a Host Peer: the edge's own connection, if any, is not needed any more. */
    void becomeClient(long hostId) {
        offerAsked = null;
        preparedOffer = null;
        pendingOffer.settle();
        releaseEdgeConnection();
        role = P2pApi.Role.CLIENT;
        state = State.CLIENT;
    }

    /** Served by the edge itself (as a host, or edge-only). */
    void serveFromEdge(P2pApi.Role placedAs) {
        long placedNanos = System.nanoTime();
        // Only a placement straight from a request or a stop is timed (not a fallback after a silent host).
        EdgeMetrics.OfferAsked timed = offerAsked;
        offerAsked = null;
        if (timed != null) {
            metrics.offerPlaced(timed, placedNanos - offerAskedNanos);
        }
        role = placedAs;
        state = State.OFFERING;
        hasEdgeConnection = true;
        Future<MediaApi.Offer> asked = preparedOffer != null ? preparedOffer : media.offer(id, stream);
        preparedOffer = null;
        asked.onComplete(ar -> {
            if (state != State.OFFERING) {
                return; // closed meanwhile; onClosed released the connection
            }
            if (ar.failed()) {
                hasEdgeConnection = false;
                fail(codeOf(ar.cause()), "cannot offer " + stream + ": " + ar.cause().getMessage(), CLOSE_ERROR);
                return;
            }
            MediaApi.Offer offer = ar.result();
            if (timed != null) {
                metrics.offerSent(timed, System.nanoTime() - placedNanos);
            }
            state = State.OFFERED;
            streamKbps = offer.bitrateKbps();
            send(EdgeMessages.edgeOffer(id, offer.sdp(), offer.candidates(), iceServers, placedAs == P2pApi.Role.HOST,
                    offer.bitrateKbps()));
        });
    }

    private void answer(PlayerMessage.Answer answer) throws ProtocolException {
        if (answer.peerId() != 0) {
            relays.answerFromClient(this, answer);
            return;
        }
        if (state != State.OFFERED) {
            throw ProtocolException.badRequest("no offer is waiting for an answer");
        }
        state = State.ANSWERED;
        pendingOffer.settle();
        media.answer(id, answer.sdp(), role == P2pApi.Role.HOST).onFailure(t -> {
            if (state != State.CLOSED) {
                hasEdgeConnection = false;
                fail(codeOf(t), t.getMessage(), CLOSE_POLICY);
            }
        });
    }

    private void candidates(PlayerMessage.Candidates message) throws ProtocolException {
        if (message.peerId() != 0) {
            relays.candidatesFromClient(this, message);
            return;
        }
        if (state != State.OFFERED && state != State.ANSWERED) {
            throw ProtocolException.badRequest("no edge connection to add candidates to");
        }
        if (message.candidates().stream().allMatch(c -> c.endOfCandidates())) {
            return;
        }
        media.candidates(id, message.candidates()).onFailure(t -> {
            if (state != State.CLOSED) {
                protocolError(new ProtocolException(codeOf(t), t.getMessage(), false));
            }
        });
    }

    private void stop() {
        socket.close(CLOSE_NORMAL, "stopped");
        onClosed();
    }

    private void changeRendition(PlayerMessage.ChangeRendition change) throws ProtocolException {
        // The edge serves one rendition per stream; acknowledge it so ABR-aware players settle.
        String only = "source";
        if (change.renditionName() != null && !only.equals(change.renditionName())) {
            throw new ProtocolException(404, "rendition '" + change.renditionName() + "' not found", false);
        }
        send(EdgeMessages.renditionChanged(id, only, false));
    }

    private void protocolError(ProtocolException e) {
        protocolErrors++;
        if (e.fatal()) {
            fail(e.code(), e.getMessage(), CLOSE_POLICY);
        } else if (protocolErrors > limits.maxProtocolErrors()) {
            fail(e.code(), e.getMessage() + " (too many errors, closing)", CLOSE_POLICY);
        } else {
            metrics.signallingError(e.code());
            send(EdgeMessages.error(e.code(), e.getMessage()));
        }
    }

    /** Sends a fatal error and closes the socket. */
    private void fail(int code, String message, short closeCode) {
        if (state == State.CLOSED) {
            return;
        }
        LOG.fine(() -> "session " + id + ": closing with " + code + " " + message);
        metrics.signallingError(code);
        socket.writeTextMessage(EdgeMessages.error(code, message))
                .eventually(() -> socket.close(closeCode, truncate(message)));
        onClosed();
    }

    void releaseEdgeConnection() {
        if (hasEdgeConnection) {
            hasEdgeConnection = false;
            media.close(id).onFailure(t -> LOG.warning("session " + id + ": media close failed: " + t.getMessage()));
        }
    }

    private static int codeOf(Throwable t) {
        if (t instanceof ReplyException r && r.failureCode() >= 400 && r.failureCode() < 600) {
            return r.failureCode();
        }
        return 500;
    }

    /** Close reasons are limited to 123 bytes by RFC 6455. */
    private static String truncate(String reason) {
        return reason.length() <= 100 ? reason : reason.substring(0, 100);
    }

}
