package p2pedge.signalling;

import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The players of one edge at one moment, as signalling sees them.
 *
 * @param byRole         players by role: {@code host} (edge-served Host Peer), {@code edge} (edge-only), {@code client}
 * @param byStream       per stream: how many players, and how many of them are served by a peer
 * @param hostsByClients this edge's Host Peers by how many clients each serves (0..MaxClientPeersPerHostPeer)
 */
public record PlayerSnapshot(Map<String, Integer> byRole, Map<String, StreamPlayers> byStream, Map<Integer, Integer> hostsByClients) {

    public record StreamPlayers(int players, int servedByPeers) {
        public double offloadRatio() {
            return players == 0 ? 0 : (double) servedByPeers / players;
        }
    }

    public JsonObject toJson() {
        JsonObject streams = new JsonObject();
        byStream.forEach((name, s) -> streams.put(name, new JsonObject().put("players", s.players).put("servedByPeers", s.servedByPeers)));
        JsonObject hosts = new JsonObject();
        hostsByClients.forEach((clients, count) -> hosts.put(clients.toString(), count));
        return new JsonObject().put("byRole", new JsonObject(new HashMap<>(byRole))).put("byStream", streams).put("hostsByClients", hosts);
    }

    public static PlayerSnapshot fromJson(JsonObject json) {
        Map<String, Integer> roles = new TreeMap<>();
        json.getJsonObject("byRole").forEach(e -> roles.put(e.getKey(), ((Number) e.getValue()).intValue()));
        Map<String, StreamPlayers> streams = new TreeMap<>();
        json.getJsonObject("byStream").forEach(e -> {
            JsonObject s = (JsonObject) e.getValue();
            streams.put(e.getKey(), new StreamPlayers(s.getInteger("players"), s.getInteger("servedByPeers")));
        });
        Map<Integer, Integer> hosts = new TreeMap<>();
        json.getJsonObject("hostsByClients").forEach(e -> hosts.put(Integer.parseInt(e.getKey()), ((Number) e.getValue()).intValue()));
        return new PlayerSnapshot(roles, streams, hosts);
    }

    public int players() {
        return byRole.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Players served by peers / all players (0 without players). */
    public double offloadRatio() {
        int all = players();
        return all == 0 ? 0 : (double) byRole.getOrDefault("client", 0) / all;
    }
}
