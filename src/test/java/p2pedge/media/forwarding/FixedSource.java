package p2pedge.media.forwarding;

import java.util.ArrayList;
import java.util.List;

/** A stream source for tests: fixed payload types; records the keyframe requests it gets and how often it is closed. */
final class FixedSource implements StreamSource {

    private final int videoType;
    private final int audioType;
    final List<Integer> keyframeRequests = new ArrayList<>();
    int closes;

    FixedSource(int videoType, int audioType) {
        this.videoType = videoType;
        this.audioType = audioType;
    }

    @Override
    public int videoType() {
        return videoType;
    }

    @Override
    public int audioType() {
        return audioType;
    }

    @Override
    public void requestKeyframe(int videoSsrc) {
        keyframeRequests.add(videoSsrc);
    }

    @Override
    public void close() {
        closes++;
    }
}
