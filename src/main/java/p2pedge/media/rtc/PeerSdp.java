package p2pedge.media.rtc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A peer's session description, read strictly: a viewer's answer to the edge's offer, or a publisher's (WHIP)
 * offer the edge answers. What the shared port and the forwarder need (ICE credentials, the DTLS fingerprint and
 * role, and per media section its mid, direction, payload types and their rtpmap/fmtp), and a clear
 * {@link IllegalArgumentException} for anything missing or contradictory. The edge is always the DTLS server.
 */
public record PeerSdp(String iceUfrag, String icePassword, String fingerprint, String setup, List<Media> media) {

    /**
     * @param codecs     payload type -> rtpmap encoding ("VP8/90000", "opus/48000/2")
     * @param fmtp       payload type -> format parameters
     * @param extensions RTP header extension URI -> the id agreed for it ({@code a=extmap})
     * @param simulcast  the layers a sender sends, or {@link Simulcast#NONE}
     */
    public record Media(String kind, String mid, String direction, List<Integer> payloadTypes, boolean rejected,
                        Map<Integer, String> codecs, Map<Integer, String> fmtp, Map<String, Integer> extensions,
                        Simulcast simulcast) {

        public Media(String kind, String mid, String direction, List<Integer> payloadTypes, boolean rejected,
                     Map<Integer, String> codecs, Map<Integer, String> fmtp, Map<String, Integer> extensions) {
            this(kind, mid, direction, payloadTypes, rejected, codecs, fmtp, extensions, Simulcast.NONE);
        }

        /** The id agreed for the header extension {@code uri}, or 0 when there is none. */
        public int extensionId(String uri) {
            return extensions.getOrDefault(uri, 0);
        }

        /** The first payload type offered for this encoding name (case-insensitive, e.g. "H264"), if any. */
        public Optional<Integer> payloadTypeOf(String encoding) {
            for (int type : payloadTypes) {
                String rtpmap = codecs.get(type);
                if (rtpmap != null && rtpmap.toUpperCase(Locale.ROOT).startsWith(encoding.toUpperCase(Locale.ROOT) + "/")) {
                    return Optional.of(type);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * A sender's simulcast: its layers' RIDs in {@code a=simulcast} order (RFC 8853, RFC 8851), or the SSRCs of
     * libwebrtc's legacy {@code a=ssrc-group:SIM} (lowest layer first); both empty when it sends one encoding.
     */
    public record Simulcast(List<String> rids, List<Long> ssrcs) {
        public static final Simulcast NONE = new Simulcast(List.of(), List.of());

        /** How many layers it declares: by RID or by SSRC group, 1 for none. */
        public int layers() {
            return Math.max(1, Math.max(rids.size(), ssrcs.size()));
        }

        /** More than one layer. */
        public boolean layered() {
            return rids.size() > 1 || ssrcs.size() > 1;
        }
    }

    /** The most layers a sender may offer: browsers send 3; every layer costs a keyframe request path and state. */
    public static final int MAX_LAYERS = 4;
    private static final java.util.regex.Pattern RID = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,16}");

    private static final int MAX_LENGTH = 60_000;
    /** Header extensions kept per media section: more than any browser offers. */
    private static final int MAX_EXTENSIONS = 32;

    /** How many video layers the description declares (simulcast), 1 for one encoding or no video. */
    public int videoLayers() {
        return media.stream().filter(m -> m.kind().equals("video")).findFirst().map(m -> m.simulcast().layers()).orElse(1);
    }

    /** A viewer's answer: it must take the DTLS client's part ({@code a=setup:active}). */
    public static PeerSdp parse(String sdp) {
        PeerSdp answer = read(sdp);
        // The edge offers actpass and is the DTLS server: the answer must take the client's part.
        if (!"active".equals(answer.setup())) {
            throw new IllegalArgumentException("answer must be a=setup:active, got " + answer.setup());
        }
        return answer;
    }

    /** A publisher's offer: actpass (the edge answers passive) or active; the edge is the DTLS server either way. */
    public static PeerSdp parseOffer(String sdp) {
        PeerSdp offer = read(sdp);
        if (!"actpass".equals(offer.setup()) && !"active".equals(offer.setup())) {
            throw new IllegalArgumentException("offer must be a=setup:actpass or active, got " + offer.setup());
        }
        return offer;
    }

    private static PeerSdp read(String sdp) {
        if (sdp == null || sdp.length() > MAX_LENGTH || !sdp.startsWith("v=0")) {
            throw new IllegalArgumentException("not an SDP document");
        }
        String ufrag = null;
        String password = null;
        String fingerprint = null;
        String setup = null;
        List<Media> media = new ArrayList<>();
        String kind = null;
        String mid = null;
        String direction = "sendrecv";
        List<Integer> payloadTypes = List.of();
        Map<Integer, String> codecs = new HashMap<>();
        Map<Integer, String> fmtp = new HashMap<>();
        Map<String, Integer> extensions = new HashMap<>();
        Layers layers = new Layers();
        boolean rejected = false;
        for (String raw : sdp.split("\r?\n")) {
            String line = raw.trim();
            if (line.startsWith("m=")) {
                if (kind != null) {
                    media.add(new Media(kind, requireMid(mid, kind), direction, payloadTypes, rejected, Map.copyOf(codecs),
                            Map.copyOf(fmtp), Map.copyOf(extensions), layers.simulcast()));
                }
                layers = new Layers();
                codecs = new HashMap<>();
                fmtp = new HashMap<>();
                extensions = new HashMap<>();
                String[] parts = line.substring(2).split(" ");
                if (parts.length < 4) {
                    throw new IllegalArgumentException("malformed m-line: " + line);
                }
                kind = parts[0];
                rejected = parts[1].equals("0");
                List<Integer> types = new ArrayList<>();
                for (int i = 3; i < parts.length; i++) {
                    types.add(payloadType(parts[i]));
                }
                payloadTypes = List.copyOf(types);
                mid = null;
                direction = "sendrecv";
            } else if (line.startsWith("a=ice-ufrag:")) {
                ufrag = same(ufrag, line.substring(12), "ice-ufrag");
            } else if (line.startsWith("a=ice-pwd:")) {
                password = same(password, line.substring(10), "ice-pwd");
            } else if (line.startsWith("a=fingerprint:")) {
                String[] parts = line.substring(14).split(" ");
                if (parts.length == 2 && parts[0].equalsIgnoreCase("sha-256")) {
                    fingerprint = same(fingerprint, parts[1].toUpperCase(Locale.ROOT), "fingerprint");
                }
            } else if (line.startsWith("a=setup:")) {
                setup = same(setup, line.substring(8), "setup");
            } else if (line.startsWith("a=rtpmap:") || line.startsWith("a=fmtp:")) {
                int space = line.indexOf(' ');
                if (space > 0) {
                    int type = payloadType(line.substring(line.indexOf(':') + 1, space));
                    (line.startsWith("a=rtpmap:") ? codecs : fmtp).put(type, line.substring(space + 1));
                }
            } else if (line.startsWith("a=extmap:")) {
                extension(line, extensions);
            } else if (line.startsWith("a=rid:")) {
                layers.rid(line.substring(6));
            } else if (line.startsWith("a=simulcast:")) {
                layers.order(line.substring(12));
            } else if (line.startsWith("a=ssrc-group:SIM ")) {
                layers.group(line.substring(17));
            } else if (line.startsWith("a=mid:")) {
                mid = line.substring(6);
            } else if (line.equals("a=sendrecv") || line.equals("a=sendonly") || line.equals("a=recvonly") || line.equals("a=inactive")) {
                direction = line.substring(2);
            }
        }
        if (kind != null) {
            media.add(new Media(kind, requireMid(mid, kind), direction, payloadTypes, rejected, Map.copyOf(codecs),
                    Map.copyOf(fmtp), Map.copyOf(extensions), layers.simulcast()));
        }
        if (ufrag == null || ufrag.length() < 4 || password == null || password.length() < 22) {
            throw new IllegalArgumentException("answer lacks ICE credentials (ice-ufrag >= 4, ice-pwd >= 22 characters)");
        }
        if (fingerprint == null || !fingerprint.matches("([0-9A-F]{2}:){31}[0-9A-F]{2}")) {
            throw new IllegalArgumentException("answer lacks a sha-256 fingerprint");
        }
        if (media.isEmpty()) {
            throw new IllegalArgumentException("no media sections");
        }
        return new PeerSdp(ufrag, password, fingerprint, setup, List.copyOf(media));
    }

    /** One media section's simulcast lines, read as they come. */
    private static final class Layers {
        private final List<String> sendRids = new ArrayList<>();
        private List<String> order = List.of();
        private List<Long> group = List.of();

        /** {@code a=rid:<id> send|recv [restrictions]}: the sender's own RIDs are kept. */
        void rid(String value) {
            String[] parts = value.split(" ");
            if (parts.length < 2 || !RID.matcher(parts[0]).matches()) {
                throw new IllegalArgumentException("malformed a=rid: " + value);
            }
            if (parts[1].equals("send") && !sendRids.contains(parts[0])) {
                if (sendRids.size() == MAX_LAYERS) {
                    throw new IllegalArgumentException("at most " + MAX_LAYERS + " simulcast layers");
                }
                sendRids.add(parts[0]);
            }
        }

        /** {@code a=simulcast:send a;b,c;~d [recv ...]}: each stream's first alternative, paused ones too. */
        void order(String value) {
            String[] parts = value.split(" ");
            for (int i = 0; i + 1 < parts.length; i += 2) {
                if (parts[i].equals("send")) {
                    List<String> streams = new ArrayList<>();
                    for (String stream : parts[i + 1].split(";")) {
                        String rid = stream.split(",")[0];
                        streams.add(rid.startsWith("~") ? rid.substring(1) : rid);
                    }
                    if (streams.size() > MAX_LAYERS) {
                        throw new IllegalArgumentException("at most " + MAX_LAYERS + " simulcast layers");
                    }
                    order = List.copyOf(streams);
                }
            }
        }

        /** {@code a=ssrc-group:SIM <ssrc>...}: libwebrtc lists the lowest layer first. */
        void group(String value) {
            List<Long> ssrcs = new ArrayList<>();
            for (String ssrc : value.trim().split(" ")) {
                try {
                    long parsed = Long.parseLong(ssrc);
                    if (parsed < 0 || parsed > 0xFFFFFFFFL) {
                        throw new NumberFormatException();
                    }
                    ssrcs.add(parsed);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad SSRC in a=ssrc-group:SIM: " + ssrc);
                }
            }
            if (ssrcs.size() > MAX_LAYERS) {
                throw new IllegalArgumentException("at most " + MAX_LAYERS + " simulcast layers");
            }
            group = List.copyOf(ssrcs);
        }

        Simulcast simulcast() {
            for (String rid : order) {
                if (!sendRids.contains(rid)) {
                    throw new IllegalArgumentException("a=simulcast names " + rid + ", which no a=rid line sends");
                }
            }
            return order.isEmpty() && group.isEmpty() ? Simulcast.NONE : new Simulcast(order, group);
        }
    }

    /** {@code a=extmap:<id>[/<direction>] <uri> [attributes]}: ids 1-255 (RFC 8285); others are ignored. */
    private static void extension(String line, Map<String, Integer> extensions) {
        String[] parts = line.substring(9).split(" ");
        if (parts.length < 2 || extensions.size() >= MAX_EXTENSIONS) {
            return;
        }
        String id = parts[0].contains("/") ? parts[0].substring(0, parts[0].indexOf('/')) : parts[0];
        try {
            int value = Integer.parseInt(id);
            if (value >= 1 && value <= 255) {
                extensions.put(parts[1], value);
            }
        } catch (NumberFormatException e) {
            // not an id: ignored, as an unknown attribute would be
        }
    }

    private static String requireMid(String mid, String kind) {
        if (mid == null) {
            throw new IllegalArgumentException("a " + kind + " section has no a=mid");
        }
        return mid;
    }

    private static int payloadType(String value) {
        try {
            int type = Integer.parseInt(value);
            if (type < 0 || type > 127) {
                throw new NumberFormatException();
            }
            return type;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad payload type " + value);
        }
    }

    /** Session- and media-level copies of an attribute must agree (BUNDLE: one transport). */
    private static String same(String previous, String value, String name) {
        if (previous != null && !previous.equals(value)) {
            throw new IllegalArgumentException("conflicting " + name + " values");
        }
        return value;
    }
}
