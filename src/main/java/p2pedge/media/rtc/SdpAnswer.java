package p2pedge.media.rtc;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A peer's answer to the forwarding edge's offer, read strictly: what the shared port and the forwarder need
 * (ICE credentials, the DTLS fingerprint and role, and per media section its mid, direction and the payload
 * types it accepted), and a clear {@link IllegalArgumentException} for anything missing or contradictory.
 */
public record SdpAnswer(String iceUfrag, String icePassword, String fingerprint, String setup, List<Media> media) {

    public record Media(String kind, String mid, String direction, List<Integer> payloadTypes, boolean rejected) {
    }

    private static final int MAX_LENGTH = 60_000;

    public static SdpAnswer parse(String sdp) {
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
        boolean rejected = false;
        for (String raw : sdp.split("\r?\n")) {
            String line = raw.trim();
            if (line.startsWith("m=")) {
                if (kind != null) {
                    media.add(new Media(kind, requireMid(mid, kind), direction, payloadTypes, rejected));
                }
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
            } else if (line.startsWith("a=mid:")) {
                mid = line.substring(6);
            } else if (line.equals("a=sendrecv") || line.equals("a=sendonly") || line.equals("a=recvonly") || line.equals("a=inactive")) {
                direction = line.substring(2);
            }
        }
        if (kind != null) {
            media.add(new Media(kind, requireMid(mid, kind), direction, payloadTypes, rejected));
        }
        if (ufrag == null || ufrag.length() < 4 || password == null || password.length() < 22) {
            throw new IllegalArgumentException("answer lacks ICE credentials (ice-ufrag >= 4, ice-pwd >= 22 characters)");
        }
        if (fingerprint == null || !fingerprint.matches("([0-9A-F]{2}:){31}[0-9A-F]{2}")) {
            throw new IllegalArgumentException("answer lacks a sha-256 fingerprint");
        }
        // The edge offers actpass and is the DTLS server: the answer must take the client's part.
        if (!"active".equals(setup)) {
            throw new IllegalArgumentException("answer must be a=setup:active, got " + setup);
        }
        if (media.isEmpty()) {
            throw new IllegalArgumentException("answer has no media");
        }
        return new SdpAnswer(ufrag, password, fingerprint, setup, List.copyOf(media));
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
