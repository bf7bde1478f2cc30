package p2pedge.media.rtc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the edge offers a viewer, and what it answers to a peer's offer, section by section, or why it cannot: the
 * one place the edge's capabilities (one video section in the stream's codec, at most one Opus audio section, in
 * one direction) meet a peer's media sections. Pure: the callers parse the offer ({@link PeerSdp}) and write the
 * answer ({@link EdgeSdp}).
 * Three kinds of peer offer: a WHIP publisher and the edge a stream is pulled from (both send, the edge receives),
 * and a WHEP player (it receives, the edge sends).
 */
public final class Negotiation {

    private Negotiation() {
    }

    /** Who offers, hence what each of its sections must do and how a refusal is worded for it. */
    public enum Offerer {
        /** A WHIP publisher: it sends the stream to the edge. */
        PUBLISHER(true, "publish one video and at most one audio section"),
        /** The edge a stream is published on, offering it to an edge that pulls it. */
        OWNER(true, "the owner must send one video and at most one audio section"),
        /** A WHEP player: it receives the stream from the edge. */
        PLAYER(false, null);

        private final boolean sends;
        private final String expected;

        Offerer(boolean sends, String expected) {
            this.sends = sends;
            this.expected = expected;
        }
    }

    /** Why an offer (or a player's answer) is refused. */
    public enum Reason {
        /** A section in a direction the edge cannot take (e.g. a publisher's recvonly section). */
        DIRECTION,
        /** A second video or audio section. */
        DUPLICATE,
        /** A section that is neither audio nor video. */
        KIND,
        /** A section without the stream's video codec, or audio without Opus. */
        CODEC,
        /** No usable video at all. */
        NO_VIDEO,
        /** A simulcast whose layers cannot be told apart. */
        SIMULCAST
    }

    /** A refusal, worded as the peer has always been told (callers prefix "offer rejected: " or "answer rejected: "). */
    public static final class Rejected extends IllegalArgumentException {
        private final Reason reason;

        Rejected(Reason reason, String message) {
            super(message);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    /**
     * The answer's sections, in the offer's order, and the payload types the peer chose (the edge keeps the peer's
     * numbering in the answer); {@code audioType} is -1 when the offer has no audio.
     */
    public record Answer(List<EdgeSdp.Media> media, int videoType, int audioType) {
    }

    /**
     * What the edge offers a viewer (a player, or an edge pulling the stream): the stream's codec and Opus, send-only
     * (mids 0 and 1), with the SSRCs the edge sends that viewer.
     */
    public static List<EdgeSdp.Media> offer(VideoCodec codec, String streamId, int videoSsrc, int audioSsrc) {
        return offer(codec, streamId, List.of(videoSsrc), audioSsrc);
    }

    /**
     * The same with one video SSRC per layer, lowest first (another edge's pull of a simulcast stream: it gets every
     * layer, declared as a simulcast group); one SSRC is one encoding.
     */
    public static List<EdgeSdp.Media> offer(VideoCodec codec, String streamId, List<Integer> videoSsrcs, int audioSsrc) {
        List<Long> layers = videoSsrcs.size() < 2 ? List.of() : videoSsrcs.stream().map(s -> s & 0xFFFFFFFFL).toList();
        return List.of(
                new EdgeSdp.Media(EdgeSdp.Kind.VIDEO, "0", EdgeSdp.Direction.SENDONLY, List.of(codec.sdp()),
                        videoSsrcs.get(0) & 0xFFFFFFFFL, streamId, List.of(), Map.of(), layers),
                new EdgeSdp.Media(EdgeSdp.Kind.AUDIO, "1", EdgeSdp.Direction.SENDONLY, List.of(EdgeSdp.Codec.opus()),
                        audioSsrc & 0xFFFFFFFFL, streamId));
    }

    /** The codec a publisher's stream is forwarded in: VP8 if its offer has it, else H.264. */
    public static VideoCodec publisherCodec(PeerSdp offer) {
        return offer.media().stream().anyMatch(m -> m.kind().equals("video") && m.payloadTypeOf("VP8").isPresent())
                ? VideoCodec.VP8 : VideoCodec.H264;
    }

    /**
     * A WHIP publisher's offer: the edge receives the stream's video codec and Opus.
     *
     * @param pinKbps hold a libwebrtc encoder that gets no congestion feedback at this bitrate (x-google bounds
     *                added to the video's format parameters); null to leave its rate control alone
     */
    public static Answer publisher(PeerSdp offer, VideoCodec codec, String streamId, Integer pinKbps) {
        String pin = pinKbps == null ? null
                : "x-google-start-bitrate=" + pinKbps + ";x-google-min-bitrate=" + pinKbps + ";x-google-max-bitrate=" + pinKbps;
        return negotiate(offer, Offerer.PUBLISHER, codec, streamId, pin, 0, 0);
    }

    /** The owner's offer of a stream this edge pulls: received like a publisher's, with the same checks. */
    public static Answer owner(PeerSdp offer, VideoCodec codec, String streamId) {
        return negotiate(offer, Offerer.OWNER, codec, streamId, null, 0, 0);
    }

    /** A WHEP player's receive-only offer: the edge sends the stream's codec and Opus with these SSRCs. */
    public static Answer player(PeerSdp offer, VideoCodec codec, String streamId, int videoSsrc, int audioSsrc) {
        return negotiate(offer, Offerer.PLAYER, codec, streamId, null, videoSsrc, audioSsrc);
    }

    /** A player's answer to the edge's offer must accept the stream's video in the payload type the edge offered. */
    public static void checkPlayerAnswer(PeerSdp answer, VideoCodec codec) {
        boolean acceptsVideo = answer.media().stream().anyMatch(m -> m.kind().equals("video") && !m.rejected()
                && m.payloadTypes().contains(codec.payloadType()));
        if (!acceptsVideo) {
            throw new Rejected(Reason.CODEC, "the player does not accept " + codec + " video (payload type "
                    + codec.payloadType() + ")");
        }
    }

    private static Answer negotiate(PeerSdp offer, Offerer offerer, VideoCodec codec, String streamId, String videoFmtp,
                                    int videoSsrc, int audioSsrc) {
        String codecName = codec.sdp().name();
        EdgeSdp.Direction direction = offerer.sends ? EdgeSdp.Direction.RECVONLY : EdgeSdp.Direction.SENDONLY;
        List<EdgeSdp.Media> answer = new ArrayList<>();
        int videoType = -1;
        int audioType = -1;
        for (PeerSdp.Media m : offer.media()) {
            boolean video = m.kind().equals("video");
            Reason refused = !video && !m.kind().equals("audio") ? Reason.KIND
                    : !compatible(m.direction(), offerer.sends) ? Reason.DIRECTION
                    : (video ? videoType : audioType) >= 0 ? Reason.DUPLICATE : null;
            Optional<Integer> type = m.payloadTypeOf(video ? codecName : "opus");
            if (refused == null && type.isEmpty()) {
                refused = Reason.CODEC;
            }
            if (refused != null) {
                throw new Rejected(refused, sectionRefusal(refused, offerer, m, codecName));
            }
            int chosen = type.get();
            String fmtp = m.fmtp().get(chosen);
            EdgeSdp.Codec agreed;
            if (video) {
                videoType = chosen;
                agreed = new EdgeSdp.Codec(chosen, codecName, 90_000, null, fmtp);
                if (videoFmtp != null) {
                    agreed = agreed.withFmtp(videoFmtp);
                }
            } else {
                audioType = chosen;
                agreed = new EdgeSdp.Codec(chosen, "opus", 48_000, 2, fmtp);
            }
            long ssrc = offerer.sends ? 0 : (video ? videoSsrc : audioSsrc) & 0xFFFFFFFFL;
            List<String> rids = video && offerer.sends ? m.simulcast().rids() : List.of();
            answer.add(new EdgeSdp.Media(video ? EdgeSdp.Kind.VIDEO : EdgeSdp.Kind.AUDIO, m.mid(), direction, List.of(agreed),
                    ssrc, streamId, rids, rids.isEmpty() ? Map.of() : ridExtensions(m)));
        }
        if (videoType < 0) {
            throw new Rejected(Reason.NO_VIDEO, offerer.sends ? "the offer sends no video" : "it does not receive video");
        }
        return new Answer(List.copyOf(answer), videoType, audioType);
    }

    /**
     * A RID simulcast is received by the RID each layer's first packets carry (RFC 8852), and the MID beside it: both
     * accepted under the offerer's ids. Without the RID extension the layers could not be told apart.
     */
    private static Map<String, Integer> ridExtensions(PeerSdp.Media m) {
        int rid = m.extensionId(HeaderExtensions.RID_URI);
        if (rid == 0) {
            throw new Rejected(Reason.SIMULCAST, "the offer's simulcast (a=rid) has no " + HeaderExtensions.RID_URI
                    + " header extension to tell its layers apart");
        }
        int mid = m.extensionId(HeaderExtensions.MID_URI);
        return mid == 0 ? Map.of(HeaderExtensions.RID_URI, rid) : Map.of(HeaderExtensions.RID_URI, rid, HeaderExtensions.MID_URI, mid);
    }

    /** Whether a section in the peer's {@code direction} suits a peer that sends (or receives) the stream. */
    private static boolean compatible(String direction, boolean peerSends) {
        return direction.equals("sendrecv") || direction.equals(peerSends ? "sendonly" : "recvonly");
    }

    private static String sectionRefusal(Reason reason, Offerer offerer, PeerSdp.Media m, String codecName) {
        if (!offerer.sends) {
            return "cannot send the " + m.kind() + " section (mid " + m.mid() + "): offer to receive one " + codecName
                    + " video and at most one Opus audio section";
        }
        if (reason == Reason.CODEC) {
            return m.kind().equals("video") ? "the offer's video has no " + codecName + " (this stream's codec)"
                    : "the offer's audio has no Opus";
        }
        return "cannot take a " + m.direction() + " " + m.kind() + " section (mid " + m.mid() + "): " + offerer.expected;
    }
}
