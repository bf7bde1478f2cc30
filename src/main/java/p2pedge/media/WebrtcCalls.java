package p2pedge.media;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.RTCStatsReport;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * webrtc-java's asynchronous calls as Vert.x futures. libwebrtc completes them on its own threads; every
 * future here completes on {@code context}, so callers never touch their state from a native thread.
 */
public final class WebrtcCalls {

    private WebrtcCalls() {
    }

    public static Future<RTCSessionDescription> createOffer(RTCPeerConnection pc, Context context) {
        Promise<RTCSessionDescription> created = Promise.promise();
        pc.createOffer(new RTCOfferOptions(), created(created, context, "createOffer"));
        return created.future();
    }

    public static Future<RTCSessionDescription> createAnswer(RTCPeerConnection pc, Context context) {
        Promise<RTCSessionDescription> created = Promise.promise();
        pc.createAnswer(new RTCAnswerOptions(), created(created, context, "createAnswer"));
        return created.future();
    }

    public static Future<Void> setLocal(RTCPeerConnection pc, RTCSessionDescription description, Context context) {
        Promise<Void> set = Promise.promise();
        pc.setLocalDescription(description, set(set, context, "setLocalDescription"));
        return set.future();
    }

    public static Future<RTCStatsReport> stats(RTCPeerConnection pc, Context context) {
        Promise<RTCStatsReport> delivered = Promise.promise();
        pc.getStats(report -> context.runOnContext(v -> delivered.complete(report)));
        return delivered.future();
    }

    public static Future<Void> setRemote(RTCPeerConnection pc, RTCSessionDescription description, Context context) {
        Promise<Void> set = Promise.promise();
        pc.setRemoteDescription(description, set(set, context, "setRemoteDescription"));
        return set.future();
    }

    private static CreateSessionDescriptionObserver created(Promise<RTCSessionDescription> promise, Context context, String call) {
        return new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription description) {
                context.runOnContext(v -> promise.tryComplete(description));
            }

            @Override
            public void onFailure(String error) {
                context.runOnContext(v -> promise.tryFail(call + " failed: " + error));
            }
        };
    }

    private static SetSessionDescriptionObserver set(Promise<Void> promise, Context context, String call) {
        return new SetSessionDescriptionObserver() {
            @Override
            public void onSuccess() {
                context.runOnContext(v -> promise.tryComplete());
            }

            @Override
            public void onFailure(String error) {
                context.runOnContext(v -> promise.tryFail(call + " failed: " + error));
            }
        };
    }
}
