package p2pedge.signalling.protocol;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/** The one place where player frames become typed messages. */
public final class PlayerMessageParser {

    /** A player sends one candidate per message; a handful more is generous. */
    static final int MAX_CANDIDATES_PER_MESSAGE = 32;

    private PlayerMessageParser() {
    }

    public static PlayerMessage parse(String text) throws ProtocolException {
        JsonObject json;
        try {
            Object value = io.vertx.core.json.Json.decodeValue(text);
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
            case "request_offer" -> new PlayerMessage.RequestOffer(id);
            case "answer" -> new PlayerMessage.Answer(id, peerId(json), SessionDescription.parse(json.getValue("sdp"), "answer"));
            case "candidate" -> new PlayerMessage.Candidates(id, peerId(json), candidates(json));
            case "stop" -> new PlayerMessage.Stop(id, optionalInteger(json, "peer_id"));
            case "ping" -> new PlayerMessage.Ping(id);
            case "pong" -> new PlayerMessage.Pong(id);
            case "change_rendition" -> new PlayerMessage.ChangeRendition(id, optionalString(json, "rendition_name"),
                    optionalBoolean(json, "auto"));
            case "offer_p2p" -> new PlayerMessage.OfferP2p(id, requiredPeerId(json),
                    SessionDescription.parse(json.getValue("sdp"), "offer"),
                    json.getValue("candidates") == null ? List.of() : candidates(json));
            case "candidate_p2p" -> new PlayerMessage.CandidateP2p(id, requiredPeerId(json), candidates(json));
            case "stats" -> stats(id, json);
            default -> throw ProtocolException.badRequest("unknown command '" + abbreviate(name) + "'");
        };
    }

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
        return new PlayerMessage.Stats(id, peerId(json), relay, kbps == null ? null : (int) Math.min(kbps, 10_000_000));
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
            list.add(IceCandidate.parse(o));
        }
        return list;
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
