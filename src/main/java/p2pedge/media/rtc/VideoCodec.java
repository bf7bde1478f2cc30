package p2pedge.media.rtc;

import java.util.Locale;
import java.util.function.Predicate;

/** The video codecs the forwarder carries: how the edge offers each, and where each one's keyframes start. */
public enum VideoCodec {
    VP8(EdgeSdp.Codec.vp8(), Vp8::startsKeyframe),
    H264(EdgeSdp.Codec.h264(), p2pedge.media.rtc.H264::startsKeyframe);

    private final EdgeSdp.Codec sdp;
    private final Predicate<byte[]> keyframeStart;

    VideoCodec(EdgeSdp.Codec sdp, Predicate<byte[]> keyframeStart) {
        this.sdp = sdp;
        this.keyframeStart = keyframeStart;
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
