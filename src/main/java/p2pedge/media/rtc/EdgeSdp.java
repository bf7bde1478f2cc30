package p2pedge.media.rtc;

import p2pedge.webrtc.CandidateLine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * The SDP the forwarding edge writes (RFC 8829/8866 conventions as browsers expect them), as an offer to a
 * viewer or an answer to a publisher: ICE-lite, one shared UDP candidate, the edge's fingerprint (DTLS role
 * actpass in offers, passive in answers), BUNDLE and rtcp-mux, and per media section its codecs with NACK, PLI
 * and FIR feedback, and (when the edge sends) the SSRC it sends with. A video offer also offers abs-send-time and
 * REMB, so that the viewer's receiver estimates what the path from the edge carries and says so, or (with
 * {@link #withTransportCc}) every section the transport-wide sequence number and transport-cc feedback, so that the
 * viewer reports each packet's arrival.
 */
public record EdgeSdp(String iceUfrag, String icePassword, String fingerprint, String candidateAddress, int candidatePort,
                       List<Media> media, boolean transportCc) {

    public EdgeSdp(String iceUfrag, String icePassword, String fingerprint, String candidateAddress, int candidatePort,
                   List<Media> media) {
        this(iceUfrag, icePassword, fingerprint, candidateAddress, candidatePort, media, false);
    }

    /** The same offer asking for transport-wide congestion feedback (every section) instead of abs-send-time and REMB. */
    public EdgeSdp withTransportCc() {
        return new EdgeSdp(iceUfrag, icePassword, fingerprint, candidateAddress, candidatePort, media, true);
    }

    public enum Kind { AUDIO, VIDEO }

    /** What the edge does with a media section, from its own point of view. */
    public enum Direction {
        SENDONLY, RECVONLY;

        String attribute() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public record Codec(int payloadType, String name, int clockRate, Integer channels, String fmtp) {
        public static Codec vp8() {
            return new Codec(96, "VP8", 90_000, null, null);
        }

        /** The same codec with these format parameters appended (e.g. libwebrtc's x-google bitrate bounds). */
        public Codec withFmtp(String more) {
            return new Codec(payloadType, name, clockRate, channels, fmtp == null ? more : fmtp + ";" + more);
        }

        public static Codec h264() {
            return new Codec(102, "H264", 90_000, null, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
        }

        public static Codec opus() {
            return new Codec(111, "opus", 48_000, 2, "minptime=10;useinbandfec=1");
        }
    }

    /**
     * @param ssrc        the SSRC the edge sends with (SENDONLY), else ignored
     * @param receiveRids a RID simulcast the edge receives (RECVONLY), in the sender's order; empty for one encoding
     * @param extensions  header extensions the edge accepts in an answer: URI -> the offerer's id
     * @param sendLayers  the SSRCs of the layers the edge sends (SENDONLY), lowest first, declared as a simulcast
     *                    group ({@code a=ssrc-group:SIM}); empty for one encoding, sent with {@code ssrc}
     */
    public record Media(Kind kind, String mid, Direction direction, List<Codec> codecs, long ssrc, String streamId,
                        List<String> receiveRids, Map<String, Integer> extensions, List<Long> sendLayers) {

        public Media(Kind kind, String mid, Direction direction, List<Codec> codecs, long ssrc, String streamId) {
            this(kind, mid, direction, codecs, ssrc, streamId, List.of(), Map.of(), List.of());
        }

        public Media(Kind kind, String mid, Direction direction, List<Codec> codecs, long ssrc, String streamId,
                     List<String> receiveRids, Map<String, Integer> extensions) {
            this(kind, mid, direction, codecs, ssrc, streamId, receiveRids, extensions, List.of());
        }
    }

    /** As an offer: the DTLS role left to the peer (actpass), which must answer active. */
    public String write() {
        return write("actpass");
    }

    /** As an answer to a publisher's offer: the edge takes the DTLS server's part (passive). */
    public String writeAnswer() {
        return write("passive");
    }

    /** As an answer to another edge's offer (a pull): this side takes the DTLS client's part (active). */
    public String writeActiveAnswer() {
        return write("active");
    }

    private String write(String setup) {
        List<String> lines = new ArrayList<>();
        lines.add("v=0");
        lines.add("o=- " + (System.nanoTime() & Long.MAX_VALUE) + " 2 IN IP4 127.0.0.1");
        lines.add("s=-");
        lines.add("t=0 0");
        lines.add("a=group:BUNDLE " + String.join(" ", media.stream().map(Media::mid).toList()));
        lines.add("a=ice-lite");
        lines.add("a=msid-semantic: WMS *");
        for (Media m : media) {
            StringBuilder formats = new StringBuilder();
            m.codecs().forEach(c -> formats.append(' ').append(c.payloadType()));
            lines.add("m=" + (m.kind() == Kind.VIDEO ? "video" : "audio") + " 9 UDP/TLS/RTP/SAVPF" + formats);
            lines.add("c=IN IP4 0.0.0.0");
            lines.add("a=rtcp:9 IN IP4 0.0.0.0");
            lines.add("a=ice-ufrag:" + iceUfrag);
            lines.add("a=ice-pwd:" + icePassword);
            lines.add("a=fingerprint:sha-256 " + fingerprint);
            lines.add("a=setup:" + setup);
            lines.add("a=mid:" + m.mid());
            lines.add("a=" + m.direction().attribute());
            lines.add("a=rtcp-mux");
            boolean offersToViewer = m.direction() == Direction.SENDONLY && setup.equals("actpass");
            boolean estimated = !transportCc && m.kind() == Kind.VIDEO && offersToViewer;
            boolean fedBack = transportCc && offersToViewer;
            if (m.kind() == Kind.VIDEO) {
                lines.add("a=rtcp-rsize");
            }
            if (estimated) {
                // Offers only: an answer must use the id the offerer chose, and the edge never needs one then.
                lines.add("a=extmap:" + AbsSendTime.OFFERED_ID + " " + AbsSendTime.URI);
            }
            if (fedBack) {
                lines.add("a=extmap:" + TransportSequence.OFFERED_ID + " " + TransportSequence.URI);
            }
            m.extensions().entrySet().stream().sorted(Map.Entry.comparingByValue())
                    .forEach(e -> lines.add("a=extmap:" + e.getValue() + " " + e.getKey()));
            for (Codec c : m.codecs()) {
                lines.add("a=rtpmap:" + c.payloadType() + " " + c.name() + "/" + c.clockRate() + (c.channels() == null ? "" : "/" + c.channels()));
                if (c.fmtp() != null) {
                    lines.add("a=fmtp:" + c.payloadType() + " " + c.fmtp());
                }
                if (m.kind() == Kind.VIDEO) {
                    lines.add("a=rtcp-fb:" + c.payloadType() + " nack");
                    lines.add("a=rtcp-fb:" + c.payloadType() + " nack pli");
                    lines.add("a=rtcp-fb:" + c.payloadType() + " ccm fir");
                }
                if (estimated) {
                    lines.add("a=rtcp-fb:" + c.payloadType() + " goog-remb");
                }
                if (fedBack) {
                    lines.add("a=rtcp-fb:" + c.payloadType() + " transport-cc");
                }
            }
            if (!m.receiveRids().isEmpty()) {
                m.receiveRids().forEach(rid -> lines.add("a=rid:" + rid + " recv"));
                lines.add("a=simulcast:recv " + String.join(";", m.receiveRids()));
            }
            if (m.direction() == Direction.SENDONLY) {
                lines.add("a=msid:" + m.streamId() + " " + m.streamId() + "-" + m.mid());
                List<String> ssrcs = (m.sendLayers().isEmpty() ? List.of(m.ssrc()) : m.sendLayers()).stream()
                        .map(ssrc -> Long.toString(ssrc & 0xFFFFFFFFL)).toList();
                if (ssrcs.size() > 1) {
                    lines.add("a=ssrc-group:SIM " + String.join(" ", ssrcs));
                }
                for (String ssrc : ssrcs) {
                    lines.add("a=ssrc:" + ssrc + " cname:" + m.streamId());
                    lines.add("a=ssrc:" + ssrc + " msid:" + m.streamId() + " " + m.streamId() + "-" + m.mid());
                }
            }
            lines.add("a=" + CandidateLine.udp(CandidateLine.Type.HOST, 1, candidateAddress, candidatePort).format());
            lines.add("a=end-of-candidates");
        }
        return String.join("\r\n", lines) + "\r\n";
    }
}
