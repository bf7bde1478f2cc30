package p2pedge.testing;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One webrtc-java factory (with the headless audio module) for a test class's publishers and viewers: made before
 * its first test, disposed (factory, then audio module) after its last. Register it on a static field with
 * {@code @RegisterExtension}.
 */
public final class WebrtcFactory implements BeforeAllCallback, AfterAllCallback {

    private HeadlessAudioDeviceModule audio;
    private PeerConnectionFactory factory;

    @Override
    public void beforeAll(ExtensionContext context) {
        audio = new HeadlessAudioDeviceModule();
        factory = new PeerConnectionFactory(audio);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        factory.dispose();
        audio.dispose();
    }

    public PeerConnectionFactory get() {
        return factory;
    }
}
