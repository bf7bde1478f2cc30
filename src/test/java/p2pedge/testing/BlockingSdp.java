package p2pedge.testing;

import dev.onvoid.webrtc.SetSessionDescriptionObserver;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** webrtc-java's set{Local,Remote}Description, waited for from a test thread (never from a Vert.x thread). */
public final class BlockingSdp {

    private BlockingSdp() {
    }

    public interface Call {
        void call(SetSessionDescriptionObserver observer);
    }

    public static void await(Call call) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        call.call(new SetSessionDescriptionObserver() {
            @Override
            public void onSuccess() {
                done.complete(null);
            }

            @Override
            public void onFailure(String error) {
                done.completeExceptionally(new IllegalStateException(error));
            }
        });
        done.get(10, TimeUnit.SECONDS);
    }
}
