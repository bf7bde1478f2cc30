package p2pedge.media.forwarding;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import p2pedge.config.EdgeConfig;
import p2pedge.media.MediaApi;
import p2pedge.webrtc.CandidateLine;
import p2pedge.media.rtc.AbsSendTime;
import p2pedge.media.rtc.LayerSelection;
import p2pedge.media.rtc.TransportSequence;
import p2pedge.media.rtc.DtlsCertificate;
import p2pedge.media.rtc.EdgeSdp;
import p2pedge.media.rtc.Negotiation;
import p2pedge.media.rtc.PeerSdp;
import p2pedge.media.rtc.RtpForwarder;
import p2pedge.media.rtc.SharedUdpPort;
import p2pedge.webrtc.IceCandidate;
import p2pedge.webrtc.SessionDescription;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.logging.Logger;

/**
 * The forwarding plane's viewers: players offered a stream over signalling, WHEP players, and other edges
 * pulling a stream. Each is a session on the shared port (ICE-lite credentials, the peer's DTLS
 * fingerprint) that, once secured, is fed by the stream's forwarders with its own SSRCs and payload types.
 * Runs on the media verticle's context.
 */
final class Viewers {

    private static final Logger LOG = Logger.getLogger(Viewers.class.getName());

    /** One viewer on the forwarding plane: its signalling session and stream; its transport owns the media side. */
    private static final class Viewer {
        final long session;
        final ForwardedStream stream;
        final ViewerTransport transport;
        /** The payload types this viewer receives: the edge's own when the edge offered, the player's for WHEP. */
        int videoType;
        int audioType = ForwardedStream.OPUS;
        /** Another edge pulling the stream, not a player. */
        final boolean pullingEdge;
        /** The id the player agreed for abs-send-time in its answer to the edge's offer (0: none). */
        int absSendTimeId;
        /** The id it agreed for the transport-wide sequence number (0: none). */
        int transportId;
        long connectTimer = -1;

        /** @param pullingEdge another edge pulling the stream: it is sent every layer the source declared */
        Viewer(long session, ForwardedStream stream, SharedUdpPort port, boolean pullingEdge) {
            this.session = session;
            this.stream = stream;
            this.pullingEdge = pullingEdge;
            this.transport = new ViewerTransport(port, stream, Long.toString(session),
                    pullingEdge ? stream.video.expectedLayers() : 1);
            this.videoType = stream.codec.payloadType();
        }
    }


    private final Vertx vertx;
    private final EdgeConfig.Media media;
    private final SharedUdpPort port;
    private final DtlsCertificate identity;
    private final List<String> candidateAddresses;
    private final int udpPort;
    /** The ICE-TCP port (0: none). */
    private final int tcpPort;
    private final LongConsumer released;
    private final Map<Long, Viewer> viewers = new HashMap<>();
    private final long consentSweep;
    /** Sessions the edge numbers itself (other edges' pulls, WHEP players): negative, never a signalling session's id. */
    private long nextInternalSession = -1;

    /** @param released told of every viewer session released, whatever the reason */
    Viewers(Context context, EdgeConfig.Media media, SharedUdpPort port, DtlsCertificate identity,
            List<String> candidateAddresses, int udpPort, int tcpPort, LongConsumer released) {
        this.vertx = context.owner();
        this.media = media;
        this.port = port;
        this.identity = identity;
        this.candidateAddresses = candidateAddresses;
        this.udpPort = udpPort;
        this.tcpPort = tcpPort;
        this.released = released;
        this.consentSweep = vertx.setPeriodic(CONSENT_SWEEP_MS, t -> sweepConsent());
    }

    /** How often connected viewers' ICE consent is looked at: a small part of the consent timeout. */
    private static final long CONSENT_SWEEP_MS = 500;

    /**
     * RFC 7675: a viewer whose selected address sent no valid check within {@code media.forwarder.consentTimeoutSeconds}
     * (or whose address went to another session) gets no more media; it is released and signalling is told.
     */
    private void sweepConsent() {
        long timeoutNanos = media.forwarder().consentTimeoutSeconds() * 1_000_000_000L;
        List<Viewer> lapsed = viewers.values().stream().filter(v -> v.transport.consentExpired(timeoutNanos)).toList();
        for (Viewer viewer : lapsed) {
            release(viewer.session);
            port.countDropped("session: ICE consent expired");
            MediaApi.publishLost(vertx.eventBus(), new MediaApi.ConnectionLost(viewer.session,
                    "media connection lost: no ICE consent from the player for " + media.forwarder().consentTimeoutSeconds() + " s"));
        }
    }

    /**
     * Pins a viewer to a simulcast layer (0 lowest; above the top: the top), switched at that layer's next keyframe.
     * False for an unknown session.
     */
    boolean selectLayer(long session, int layer) {
        Viewer viewer = viewers.get(session);
        if (viewer == null) {
            return false;
        }
        viewer.transport.pin(layer);
        return true;
    }

    /** The layer a viewer is fed from (0 lowest), -1 when none yet; empty for an unknown session. */
    java.util.OptionalInt layerOf(long session) {
        Viewer viewer = viewers.get(session);
        return viewer == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(viewer.stream.video.layerOf(Long.toString(session)));
    }

    /** Each viewer's edge leg now, by session. */
    Map<Long, MediaApi.ViewerLeg> legs() {
        Map<Long, MediaApi.ViewerLeg> out = new java.util.TreeMap<>();
        viewers.forEach((session, viewer) -> {
            String id = Long.toString(session);
            var transport = viewer.transport.transport();
            var delivered = transport.filter(t -> t.deliveredBps() >= 0);
            long estimate = viewer.stream.video.estimateOf(id);
            out.put(session, new MediaApi.ViewerLeg(viewer.stream.video.layerOf(id), viewer.stream.video.sendingLayers().size(),
                    viewer.stream.video.switchesOf(id), estimate < 0 ? -1 : estimate / 1000,
                    delivered.map(t -> t.deliveredBps() / 1000).orElse(-1L),
                    delivered.map(t -> Math.round(t.lossFraction() * 1000) / 10.0).orElse(-1.0),
                    transport.map(TransportSequence::bottleneckBps).map(bps -> bps < 0 ? -1 : bps / 1000).orElse(-1L),
                    viewer.transport.pacer().filter(p -> p.rateBps() > 0).map(p -> p.rateBps() / 1000).orElse(-1L),
                    transport.map(TransportSequence::feedbacks).orElse(0L)));
        });
        return out;
    }

    /** Each viewer with transport-wide feedback gets the layer its path carries (see {@link LayerSelection}). */
    void adaptLayers() {
        // A stream's rates are looked up once per tick, not once per viewer.
        Map<ForwardedStream, ViewerTransport.StreamRates> rates = new HashMap<>();
        viewers.values().forEach(viewer -> viewer.transport.adaptLayer(
                rates.computeIfAbsent(viewer.stream, ViewerTransport.StreamRates::of)));
    }

    int size() {
        return viewers.size();
    }

    /** Viewers of {@code stream}, connected or still connecting. */
    int watching(ForwardedStream stream) {
        return (int) viewers.values().stream().filter(v -> v.stream == stream).count();
    }

    long internalSession() {
        return nextInternalSession--;
    }

    /** Releases every viewer (the edge stops); returns how many there were. */
    int releaseAll() {
        vertx.cancelTimer(consentSweep);
        int open = viewers.size();
        new ArrayList<>(viewers.keySet()).forEach(this::release);
        return open;
    }

    /** A player's offer: the stream's codec and Opus, sent from the shared port with this viewer's own SSRCs. */
    Future<JsonObject> offerTo(long session, ForwardedStream stream) {
        return offer(session, stream, false);
    }

    /** The same offer for another edge's pull (see {@link RtpForwarder#addPullingEdge}). */
    Future<JsonObject> offerToEdge(long session, ForwardedStream stream) {
        return offer(session, stream, true);
    }

    private Future<JsonObject> offer(long session, ForwardedStream stream, boolean pullingEdge) {
        release(session);
        if (viewers.size() >= media.maxViewers()) {
            return refused(503, "edge is at its viewer limit (" + media.maxViewers() + ")");
        }
        Viewer viewer = new Viewer(session, stream, port, pullingEdge);
        viewers.put(session, viewer);
        // An offer holds a slot: one never answered gives it back after the connect timeout.
        armConnectTimer(viewer, MediaApi.OFFER_NOT_ANSWERED, "offer not answered within " + media.connectTimeoutSeconds() + " s");
        List<String> addresses = candidateAddresses;
        ViewerTransport transport = viewer.transport;
        EdgeSdp offer = new EdgeSdp(transport.ufrag, transport.password, identity.fingerprint(), addresses.get(0), udpPort,
                Negotiation.offer(stream.codec, stream.name().replace('/', '-'), transport.videoSsrcs, transport.audioSsrc));
        String sdp = (media.forwarder().congestionFeedback() == EdgeConfig.CongestionFeedback.TWCC ? offer.withTransportCc() : offer).write();
        List<IceCandidate> candidates = new ArrayList<>();
        for (String address : addresses) {
            candidates.add(new IceCandidate(CandidateLine.udp(CandidateLine.Type.HOST, candidates.size() + 1, address, udpPort)
                    .format(), 0, "0", null));
        }
        if (tcpPort > 0 && !pullingEdge) {
            // For players whose network drops UDP: they connect to it (another edge's pull has UDP).
            for (String address : addresses) {
                candidates.add(new IceCandidate(CandidateLine.tcpPassive(candidates.size() + 1, address, tcpPort).format(),
                        0, "0", null));
            }
        }
        return Future.succeededFuture(new MediaApi.Offer(new SessionDescription("offer", sdp), candidates, stream.bitrateKbps()).toJson());
    }

    /** @param host a Host Peer: it gets the top layer whatever its path (it re-encodes for its clients) */
    Future<Void> applyAnswer(long session, String sdp, boolean host) {
        Viewer viewer = viewers.get(session);
        if (viewer == null) {
            return refused(400, "no offer outstanding");
        }
        PeerSdp answer;
        try {
            answer = PeerSdp.parse(sdp);
            Negotiation.checkPlayerAnswer(answer, viewer.stream.codec);
        } catch (IllegalArgumentException e) {
            release(session);
            return refused(400, "answer rejected: " + e.getMessage());
        }
        viewer.absSendTimeId = answer.media().stream().filter(m -> m.kind().equals("video")).findFirst()
                .map(m -> m.extensionId(AbsSendTime.URI)).orElse(0);
        // BUNDLE: one id for a URI across sections; the video's stands for both.
        viewer.transportId = answer.media().stream().filter(m -> m.kind().equals("video")).findFirst()
                .map(m -> m.extensionId(TransportSequence.URI)).orElse(0);
        if (!expectDtls(viewer, answer, host)) {
            return refused(409, "the offer was already answered");
        }
        return Future.succeededFuture();
    }

    /**
     * The viewer's ICE checks and DTLS handshake are awaited on the shared port, within the connect timeout; false
     * when they already are (a second answer changes nothing: the viewer keeps its connection).
     */
    private boolean expectDtls(Viewer viewer, PeerSdp peer, boolean host) {
        if (!viewer.transport.open(peer, new ViewerTransport.Feed(viewer.videoType, viewer.audioType, viewer.pullingEdge,
                viewer.absSendTimeId, viewer.transportId, host, media.forwarder().pacing()),
                () -> connected(viewer))) {
            return false;
        }
        armConnectTimer(viewer, 502, "media connection not established within " + media.connectTimeoutSeconds() + " s");
        return true;
    }

    /** (Re)starts the viewer's deadline: not secured by then, it is released and its player told why. */
    private void armConnectTimer(Viewer viewer, int code, String reason) {
        vertx.cancelTimer(viewer.connectTimer);
        viewer.connectTimer = vertx.setTimer(media.connectTimeoutSeconds() * 1000L, t -> {
            if (viewers.get(viewer.session) == viewer && !viewer.transport.connected()) {
                release(viewer.session);
                MediaApi.publishLost(vertx.eventBus(), new MediaApi.ConnectionLost(viewer.session, code, reason));
            }
        });
    }


    /** The edge's answer to a WHEP player and the session it created. */
    record Answer(long session, String sdp) {
    }

    /**
     * WHEP: answers a player's receive-only offer with the stream's codec and Opus, in the payload types the
     * player chose, sent from the shared port.
     */
    Future<Answer> answerPlayer(PeerSdp offer, ForwardedStream stream) {
        if (viewers.size() >= media.maxViewers()) {
            return refused(503, "edge is at its viewer limit (" + media.maxViewers() + ")");
        }
        Viewer viewer = new Viewer(internalSession(), stream, port, false);
        ViewerTransport transport = viewer.transport;
        Negotiation.Answer answer;
        try {
            answer = Negotiation.player(offer, stream.codec, stream.name().replace('/', '-'), transport.videoSsrc, transport.audioSsrc);
        } catch (Negotiation.Rejected e) {
            return refused(400, "offer rejected: " + e.getMessage());
        }
        viewer.videoType = answer.videoType();
        viewer.audioType = answer.audioType();
        viewers.put(viewer.session, viewer);
        expectDtls(viewer, offer, false);
        return Future.succeededFuture(new Answer(viewer.session, new EdgeSdp(transport.ufrag, transport.password,
                identity.fingerprint(), candidateAddresses.get(0), udpPort, answer.media()).writeAnswer()));
    }


    static <T> Future<T> refused(int code, String reason) {
        return Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code, reason));
    }


    /** The viewer's first handshake completed: its deadline is off, signalling is told. */
    private void connected(Viewer viewer) {
        vertx.cancelTimer(viewer.connectTimer);
        MediaApi.publishConnected(vertx.eventBus(), viewer.session);
    }


    /** A stream ends: its viewers are told (an error, not a frozen picture) and released; the stream is closed. */
    void closeStream(ForwardedStream stream, String reason) {
        List<Long> watching = viewers.values().stream().filter(v -> v.stream == stream).map(v -> v.session).toList();
        for (long session : watching) {
            release(session);
            MediaApi.publishLost(vertx.eventBus(), new MediaApi.ConnectionLost(session,
                    "stream " + stream.name() + " ended: " + reason));
        }
        stream.close();
        LOG.info(() -> "stream " + stream.name() + " ended (" + reason + "), " + watching.size() + " viewer(s) told");
    }


    /** Releases a viewer: its forwarding, its session on the port, its SRTP state (all its transport's). */
    void release(long session) {
        Viewer viewer = viewers.remove(session);
        if (viewer == null) {
            return;
        }
        vertx.cancelTimer(viewer.connectTimer);
        released.accept(session);
        viewer.transport.close();
    }
}
