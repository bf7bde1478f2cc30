package p2pedge.media.rtc;

import java.util.Locale;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/** The video codecs the forwarder carries: how the edge offers each, and where each one's keyframes start. */
public enum VideoCodec {
    VP8(EdgeSdp.Codec.vp8(), Vp8::startsKeyframe, Vp8::keyframePixels),
    /** Its picture size is in the SPS, which is not read: H.264 layers are ranked by their rates. */
    H264(EdgeSdp.Codec.h264(), p2pedge.media.rtc.H264::startsKeyframe, rtp -> 0);

    private final EdgeSdp.Codec sdp;
    private final Predicate<byte[]> keyframeStart;
    private final ToIntFunction<byte[]> keyframePixels;

    VideoCodec(EdgeSdp.Codec sdp, Predicate<byte[]> keyframeStart, ToIntFunction<byte[]> keyframePixels) {
        this.sdp = sdp;
        this.keyframeStart = keyframeStart;
        this.keyframePixels = keyframePixels;
    }

    /** The picture size (width x height) of the keyframe a packet starts, when the codec says it there; else 0. */
    public int keyframePixels(byte[] rtp) {
        return keyframePixels.applyAsInt(rtp);
    }

    public EdgeSdp.Codec sdp() {
        return sdp;
    }

    public int payloadType() {
        return sdp.payloadType();
    }

    public boolean startsKeyframe(byte[] rtp) {
        return keyframeStart.test(rtp);
    }

    /** "vp8" or "h264", as the configuration spells them. */
    public static VideoCodec of(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("video codec must be 'vp8' or 'h264', got '" + name + "'");
        }
    }
}
