package p2pedge.media;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpSendParameters;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.RTCStatsType;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import p2pedge.media.demo.LiveStream;
import p2pedge.webrtc.IceCandidate;
import p2pedge.webrtc.SessionDescription;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The edge's webrtc-java peer connection to one viewer: it sends the stream's tracks. Every method runs on
 * the media verticle's context; libwebrtc callbacks arrive on native threads and hop back onto it.
 */
final class ViewerConnection {

    /** Upper bound on gathering; host-only UDP candidates complete in milliseconds. */
    private static final long GATHERING_TIMEOUT_MS = 3_000;

    private final long session;
    private final Context context;
    private final RTCPeerConnection peerConnection;
    private final List<RTCRtpSender> senders = new ArrayList<>();
    private final List<IceCandidate> gathered = new ArrayList<>();
    private final Promise<Void> gatheringDone = Promise.promise();
    private final Consumer<String> onLost;
    private final Runnable onConnected;
    private boolean connected;
    private boolean closed;

    /**
     * @param onConnected called on the context when the connection first carries media
     * @param onLost      called once, on the context, when the connection fails on its own
     */
    ViewerConnection(long session, PeerConnectionFactory factory, RTCConfiguration configuration, LiveStream stream,
                     Context context, Runnable onConnected, Consumer<String> onLost) {
        this.session = session;
        this.streamName = stream.name();
        this.stream = stream;
        this.context = context;
        this.onConnected = onConnected;
        this.onLost = onLost;
        this.peerConnection = factory.createPeerConnection(configuration, new Observer());
        List<String> streamIds = List.of(stream.name());
        RTCRtpSender video = peerConnection.addTrack(stream.videoTrack(), streamIds);
        capBitrate(video, stream.bitrateKbps());
        senders.add(video);
        senders.add(stream.whileAudioPaused(() -> peerConnection.addTrack(stream.audioTrack(), streamIds)));
    }

    /** Each viewer's encoder spends at most the stream's bitrate, as the forwarding plane's single encoder does. */
    private static void capBitrate(RTCRtpSender sender, int kbps) {
        RTCRtpSendParameters parameters = sender.getParameters();
        if (parameters != null && parameters.encodings != null && !parameters.encodings.isEmpty()) {
            parameters.encodings.forEach(encoding -> encoding.maxBitrate = kbps * 1000);
            sender.setParameters(parameters);
        }
    }

    private final String streamName;
    private final LiveStream stream;

    String streamName() {
        return streamName;
    }

    long session() {
        return session;
    }

    boolean connected() {
        return connected;
    }

    /** Creates the offer and gathers every candidate before returning, as the reference server does. */
    Future<MediaApi.Offer> offer() {
        return WebrtcCalls.createOffer(peerConnection, context)
                .compose(description -> WebrtcCalls.setLocal(peerConnection, description, context).map(description))
                .compose(description -> gatheringDone.future()
                        .timeout(GATHERING_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                        .recover(t -> Future.succeededFuture())
                        .map(v -> new MediaApi.Offer(new SessionDescription("offer", description.sdp), List.copyOf(gathered), 0)));
    }

    Future<Void> applyAnswer(SessionDescription answer) {
        // An answer may reject the audio, which detaches the track from its sender inside this call.
        return stream.whileAudioPaused(() -> WebrtcCalls.setRemote(peerConnection,
                new RTCSessionDescription(RTCSdpType.ANSWER, answer.sdp()), context));
    }

    void addCandidates(List<IceCandidate> candidates) {
        for (IceCandidate c : candidates) {
            if (!c.endOfCandidates()) {
                peerConnection.addIceCandidate(new RTCIceCandidate(c.sdpMid() == null ? "" : c.sdpMid(),
                        c.sdpMLineIndex() == null ? 0 : c.sdpMLineIndex(), c.candidate()));
            }
        }
    }

    /** Bytes this connection has sent on its transport (SRTP, RTCP, DTLS, STUN), from libwebrtc's stats. */
    Future<Long> bytesSent() {
        if (closed) {
            return Future.failedFuture("closed");
        }
        return WebrtcCalls.stats(peerConnection, context).map(report -> report.getStats().values().stream()
                .filter(stats -> stats.getType() == RTCStatsType.TRANSPORT)
                .map(stats -> stats.getAttributes().get("bytesSent"))
                .filter(bytes -> bytes instanceof Number)
                .mapToLong(bytes -> ((Number) bytes).longValue())
                .sum());
    }

    /** Closes the connection and releases its senders; safe to call more than once. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Senders hold the shared tracks: remove them first or the tracks can never be disposed.
        stream.whileAudioPaused(() -> {
            for (RTCRtpSender sender : senders) {
                peerConnection.removeTrack(sender);
            }
            senders.clear();
            peerConnection.close();
        });
    }

    private void lost(String reason) {
        if (!closed) {
            onLost.accept(reason);
        }
    }

    private final class Observer implements PeerConnectionObserver {
        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
            IceCandidate c = new IceCandidate(candidate.sdp, candidate.sdpMLineIndex, candidate.sdpMid, null);
            context.runOnContext(v -> gathered.add(c));
        }

        @Override
        public void onIceGatheringChange(RTCIceGatheringState state) {
            if (state == RTCIceGatheringState.COMPLETE) {
                context.runOnContext(v -> gatheringDone.tryComplete());
            }
        }

        @Override
        public void onConnectionChange(RTCPeerConnectionState state) {
            context.runOnContext(v -> {
                if (state == RTCPeerConnectionState.CONNECTED && !connected && !closed) {
                    connected = true;
                    onConnected.run();
                } else if (state == RTCPeerConnectionState.FAILED) {
                    lost("media connection failed (ICE/DTLS)");
                }
            });
        }
    }
}
