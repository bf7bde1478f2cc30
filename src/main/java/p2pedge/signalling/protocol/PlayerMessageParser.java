package p2pedge.signalling.protocol;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import p2pedge.webrtc.IceCandidate;
import p2pedge.webrtc.SessionDescription;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The one place where player frames become typed messages. */
public final class PlayerMessageParser {

    /** A player sends one candidate per message; a handful more is generous. */
    static final int MAX_CANDIDATES_PER_MESSAGE = 32;
    /** Far above any real SDP; the frame limit is the outer bound anyway. */
    static final int MAX_SDP_CHARS = 60_000;
    // RFC 8839 candidate-attribute, loosely: foundation component transport priority address port typ type ...
    private static final Pattern CANDIDATE_SYNTAX = Pattern.compile(
            "candidate:[!-~]{1,32} \\d{1,3} (udp|tcp|UDP|TCP) \\d{1,10} [0-9A-Za-z.:_%\\-\\[\\]]{1,255} \\d{1,5} typ (host|srflx|prflx|relay)( [ -~]*)?");
    private static final int MAX_CANDIDATE_CHARS = 1024;
    private static final int MAX_MAPPED = 4;

    private PlayerMessageParser() {
    }

    public static PlayerMessage parse(String text) throws ProtocolException {
        JsonObject json;
        try {
            Object value = Json.decodeValue(text);
            if (!(value instanceof JsonObject object)) {
                throw ProtocolException.badRequest("message must be a JSON object");
            }
            json = object;
        } catch (DecodeException e) {
            throw ProtocolException.badRequest("malformed JSON");
        }
        Object command = json.getValue("command");
        if (command == null) {
            throw ProtocolException.badRequest("missing 'command'");
        }
        if (!(command instanceof String name)) {
            throw ProtocolException.badRequest("'command' must be a string");
        }
        Long id = optionalInteger(json, "id");
        return switch (name) {
            case "request_offer" -> new PlayerMessage.RequestOffer(id, mapped(json), Boolean.TRUE.equals(optionalBoolean(json, "reports")),
                    Boolean.TRUE.equals(optionalBoolean(json, "offer_after_stop")));
            case "answer" -> new PlayerMessage.Answer(id, peerId(json), description(json.getValue("sdp"), "answer"));
            case "candidate" -> new PlayerMessage.Candidates(id, peerId(json), candidates(json));
            case "stop" -> new PlayerMessage.Stop(id, optionalInteger(json, "peer_id"));
            case "ping" -> new PlayerMessage.Ping(id);
            case "pong" -> new PlayerMessage.Pong(id);
            case "change_rendition" -> new PlayerMessage.ChangeRendition(id, optionalString(json, "rendition_name"),
                    optionalBoolean(json, "auto"));
            case "offer_p2p" -> new PlayerMessage.OfferP2p(id, requiredPeerId(json),
                    description(json.getValue("sdp"), "offer"),
                    json.getValue("candidates") == null ? List.of() : candidates(json));
            case "candidate_p2p" -> new PlayerMessage.CandidateP2p(id, requiredPeerId(json), candidates(json));
            case "stats" -> stats(id, json);
            default -> throw ProtocolException.badRequest("unknown command '" + abbreviate(name) + "'");
        };
    }

    /** Bitrates a player may claim (10 Gbit/s): more is clipped, not trusted. */
    private static final int MAX_KBPS = 10_000_000;
    /** Freezes a player may claim: a count, shown to operators as the player said it, clipped. */
    private static final int MAX_FREEZES = 1_000_000;
    /** Relays a player may claim to run: no host takes more clients than this. */
    private static final int MAX_RELAYS = 64;

    private static long peerId(JsonObject json) throws ProtocolException {
        Long peerId = optionalInteger(json, "peer_id");
        return peerId == null ? 0 : peerId;
    }

    private static long requiredPeerId(JsonObject json) throws ProtocolException {
        Long peerId = optionalInteger(json, "peer_id");
        if (peerId == null || peerId == 0) {
            throw ProtocolException.badRequest("'peer_id' must name the client peer");
        }
        return peerId;
    }

    private static PlayerMessage.Stats stats(Long id, JsonObject json) throws ProtocolException {
        String relay = optionalString(json, "relay");
        if (relay != null && !relay.equals("connected") && !relay.equals("failed")) {
            throw ProtocolException.badRequest("'relay' must be 'connected' or 'failed'");
        }
        Long kbps = optionalInteger(json, "kbps");
        Long freezes = optionalInteger(json, "freezes");
        return new PlayerMessage.Stats(id, peerId(json), relay, kbps == null ? null : (int) Math.min(kbps, MAX_KBPS),
                upload(json), freezes == null ? null : (int) Math.min(freezes, MAX_FREEZES));
    }

    /** {@code upload}: {relays, kbps, available (optional), limited}; figures beyond any real link are clipped. */
    private static PlayerMessage.Upload upload(JsonObject json) throws ProtocolException {
        Object value = json.getValue("upload");
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonObject upload)) {
            throw ProtocolException.badRequest("'upload' must be an object");
        }
        Long relays = optionalInteger(upload, "relays");
        Long kbps = optionalInteger(upload, "kbps");
        if (relays == null || kbps == null) {
            throw ProtocolException.badRequest("'upload' must say 'relays' and 'kbps'");
        }
        Long available = optionalInteger(upload, "available");
        Boolean limited = optionalBoolean(upload, "limited");
        return new PlayerMessage.Upload((int) Math.min(relays, MAX_RELAYS), (int) Math.min(kbps, MAX_KBPS),
                available == null ? -1 : (int) Math.min(available, MAX_KBPS), Boolean.TRUE.equals(limited));
    }

    private static List<IceCandidate> candidates(JsonObject json) throws ProtocolException {
        Object value = json.getValue("candidates");
        if (!(value instanceof JsonArray array)) {
            throw ProtocolException.badRequest("'candidates' must be an array");
        }
        if (array.size() > MAX_CANDIDATES_PER_MESSAGE) {
            throw ProtocolException.badRequest("too many candidates in one message");
        }
        List<IceCandidate> list = new ArrayList<>(array.size());
        for (Object o : array) {
            list.add(candidate(o));
        }
        return list;
    }

    /** Parses and checks a description of the expected type ("offer" or "answer"). */
    private static SessionDescription description(Object value, String expectedType) throws ProtocolException {
        if (!(value instanceof JsonObject json)) {
            throw ProtocolException.badRequest("sdp must be an object {type, sdp}");
        }
        Object type = json.getValue("type");
        Object sdp = json.getValue("sdp");
        if (!(sdp instanceof String text)) {
            throw ProtocolException.badRequest("sdp.sdp must be a string");
        }
        if (!expectedType.equals(type)) {
            throw ProtocolException.badRequest("sdp.type must be '" + expectedType + "'");
        }
        if (!text.startsWith("v=0") || text.length() > MAX_SDP_CHARS || !text.contains("\nm=")) {
            throw ProtocolException.badRequest("sdp.sdp is not a session description with media");
        }
        return new SessionDescription(expectedType, text);
    }

    private static IceCandidate candidate(Object value) throws ProtocolException {
        if (!(value instanceof JsonObject json)) {
            throw ProtocolException.badRequest("each candidate must be an object");
        }
        Object candidate = json.getValue("candidate");
        if (!(candidate instanceof String text)) {
            throw ProtocolException.badRequest("candidate.candidate must be a string");
        }
        if (text.startsWith("a=")) {
            text = text.substring(2);
        }
        if (!text.isEmpty() && (text.length() > MAX_CANDIDATE_CHARS || !CANDIDATE_SYNTAX.matcher(text).matches())) {
            throw ProtocolException.badRequest("candidate is not a valid ICE candidate line");
        }
        Object index = json.getValue("sdpMLineIndex");
        Integer mLineIndex = null;
        if (index != null) {
            if (!(index instanceof Number n) || n.doubleValue() != n.intValue() || n.intValue() < 0 || n.intValue() > 63) {
                throw ProtocolException.badRequest("candidate.sdpMLineIndex must be an integer in [0, 63]");
            }
            mLineIndex = n.intValue();
        }
        String mid = shortCandidateField(json, "sdpMid");
        if (!text.isEmpty() && mLineIndex == null && (mid == null || mid.isEmpty())) {
            throw ProtocolException.badRequest("candidate needs sdpMLineIndex or sdpMid");
        }
        return new IceCandidate(text, mLineIndex, mid, shortCandidateField(json, "usernameFragment"));
    }

    private static String shortCandidateField(JsonObject json, String key) throws ProtocolException {
        Object value = json.getValue(key);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s) || s.length() > 256) {
            throw ProtocolException.badRequest("candidate." + key + " must be a short string");
        }
        return s;
    }

    /** Addresses a NAT probe gathered: few and short ("ip:port"); they are checked against the edge's own STUN answers. */
    private static List<String> mapped(JsonObject json) throws ProtocolException {
        Object value = json.getValue("mapped");
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof JsonArray array) || array.size() > MAX_MAPPED) {
            throw ProtocolException.badRequest("'mapped' must be an array of at most " + MAX_MAPPED + " \"ip:port\" strings");
        }
        List<String> out = new ArrayList<>();
        for (Object item : array) {
            if (!(item instanceof String text) || text.length() > 64) {
                throw ProtocolException.badRequest("'mapped' must be an array of at most " + MAX_MAPPED + " \"ip:port\" strings");
            }
            out.add(text);
        }
        return List.copyOf(out);
    }

    private static Long optionalInteger(JsonObject json, String key) throws ProtocolException {
        Object value = json.getValue(key);
        if (value == null) {
            return null;
        }
        // OvenPlayer compares ids strictly as numbers; a string id is a bug worth reporting.
        if (!(value instanceof Number n) || n.doubleValue() != n.longValue() || n.longValue() < 0 || n.longValue() > Integer.MAX_VALUE) {
            throw ProtocolException.badRequest("'" + key + "' must be a non-negative 31-bit integer");
        }
        return n.longValue();
    }

    private static String optionalString(JsonObject json, String key) throws ProtocolException {
        Object value = json.getValue(key);
        if (value != null && !(value instanceof String)) {
            throw ProtocolException.badRequest("'" + key + "' must be a string");
        }
        return (String) value;
    }

    private static Boolean optionalBoolean(JsonObject json, String key) throws ProtocolException {
        Object value = json.getValue(key);
        if (value != null && !(value instanceof Boolean)) {
            throw ProtocolException.badRequest("'" + key + "' must be a boolean");
        }
        return (Boolean) value;
    }

    private static String abbreviate(String s) {
        String printable = s.replaceAll("[^ -~]", "?");
        return printable.length() <= 40 ? printable : printable.substring(0, 40) + "...";
    }
}
