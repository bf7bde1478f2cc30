package p2pedge.p2p;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.AdminClient;
import p2pedge.testing.Scrape;
import p2pedge.testing.SignallingClient;
import p2pedge.testing.TestEdge;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static p2pedge.testing.P2pScript.CHROME_WINDOWS;
import static p2pedge.testing.P2pScript.FAKE_ANSWER;
import static p2pedge.testing.P2pScript.placedOn;
import static p2pedge.testing.P2pScript.relay;
import static p2pedge.testing.P2pScript.sdp;
import static p2pedge.testing.P2pScript.servedByEdge;

/**
 * What P2P players can make the edge believe or do to each other, played by synthetic players (real WebSockets,
 * fake SDP, several 127.x.y.z source addresses for players on different machines): client reports against a host's
 * record, candidates aimed at a host's machine or network, a client asking again and again, ids on the open port.
 */
@ExtendWith(VertxExtension.class)
class P2pTrustTest {

    private static final String TOKEN = "trust-admin";

    private final List<SignallingClient> players = new ArrayList<>();
    private TestEdge edge;

    private void start(Vertx vertx, JsonObject overrides) throws Exception {
        JsonObject config = new JsonObject()
                .put("p2p", new JsonObject().put("policy", "ome").put("maxClientPeersPerHostPeer", 2)
                        .put("hostOfferTimeoutMillis", 15_000).put("relayConnectTimeoutMillis", 15_000))
                .put("signalling", new JsonObject().put("maxProtocolErrors", 100))
                .put("metrics", new JsonObject().put("adminToken", TOKEN))
                .put("streams", new JsonArray().add(new JsonObject().put("name", "app/stream").put("source", "demo")
                        .put("width", 320).put("height", 180).put("fps", 15)))
                .mergeIn(overrides, true);
        edge = TestEdge.startWithFakeMedia(vertx, config);
    }

    @AfterEach
    void stop() throws Exception {
        players.forEach(SignallingClient::close);
        if (edge != null) {
            edge.awaitMediaConnections(0, 5_000);
            edge.close();
        }
    }

    /** A Chrome player connecting from {@code address}. */
    private SignallingClient player(Vertx vertx, String address) throws Exception {
        SignallingClient player = SignallingClient.connect(vertx, edge.port(), "/app/stream", CHROME_WINDOWS, address);
        players.add(player);
        return player;
    }

    private JsonObject hostRecord(long hostId) throws Exception {
        HttpResponse<String> response = AdminClient.call(edge.metricsPort(), "GET", "/admin/hosts", TOKEN);
        assertEquals(200, response.statusCode(), response.body());
        for (Object o : new JsonArray(response.body())) {
            if (((JsonObject) o).getLong("host") == hostId) {
                return (JsonObject) o;
            }
        }
        throw new AssertionError("host " + hostId + " is not registered: " + response.body());
    }

    private static void reportFailed(SignallingClient client, long clientId, long hostId) throws Exception {
        client.send(new JsonObject().put("command", "stats").put("id", clientId).put("peer_id", hostId).put("relay", "failed"));
    }

    // ---- item 13: a host's record moves only on evidence the edge can corroborate ----

    @Test
    void oneClientReportingFailureDoesNotTakeAFreshHostOut(Vertx vertx) throws Exception {
        start(vertx, new JsonObject());
        SignallingClient host = player(vertx, "127.0.0.1");
        long hostId = servedByEdge(host);
        SignallingClient liar = player(vertx, "127.0.0.2");
        long liarId = placedOn(liar, host, hostId);
        relay(host, hostId, liar, liarId);
        reportFailed(liar, liarId, hostId);
        assertEquals(hostId, liar.expect("stop").getLong("peer_id"));
        assertEquals(liarId, host.expect("stop").getLong("peer_id"));
        // The next viewer, on another machine, is still offered the host.
        SignallingClient next = player(vertx, "127.0.0.3");
        placedOn(next, host, hostId);
        assertTrue(hostRecord(hostId).getBoolean("accepting"), "one client's word does not disable a host");
    }

    @Test
    void fakeClientsCannotPumpAHostAndFailuresFromDistinctClientsStillTakeItOut(Vertx vertx) throws Exception {
        start(vertx, new JsonObject());
        SignallingClient host = player(vertx, "127.0.0.1");
        long hostId = servedByEdge(host);
        int fakes = 6;
        for (int i = 0; i < fakes; i++) {
            // One machine opens socket after socket: each relay "connects" (its answer) and the socket goes.
            SignallingClient fake = player(vertx, "127.0.0.9");
            long fakeId = placedOn(fake, host, hostId);
            relay(host, hostId, fake, fakeId);
            fake.send(new JsonObject().put("command", "stats").put("id", fakeId).put("peer_id", hostId).put("relay", "connected"));
            fake.close();
            assertEquals(fakeId, host.expect("stop").getLong("peer_id"));
        }
        JsonObject record = hostRecord(hostId);
        System.out.println("after " + fakes + " fake clients from one address vouched: " + record.encode());
        assertTrue(record.getInteger("relaysConnected") <= 1,
                fakes + " sessions from one address count as one witness at most: " + record.encode());
        assertEquals(2, record.getInteger("capacity"), "capacity is configuration, not earned");

        // A genuinely bad host: two viewers on two machines see its relay fail.
        for (String address : List.of("127.0.0.2", "127.0.0.3")) {
            SignallingClient viewer = player(vertx, address);
            long viewerId = placedOn(viewer, host, hostId);
            relay(host, hostId, viewer, viewerId);
            reportFailed(viewer, viewerId, hostId);
            assertEquals(hostId, viewer.expect("stop").getLong("peer_id"));
            assertEquals(viewerId, host.expect("stop").getLong("peer_id"));
        }
        assertFalse(hostRecord(hostId).getBoolean("accepting"), "two witnesses take it out: " + hostRecord(hostId).encode());
        SignallingClient third = player(vertx, "127.0.0.4");
        servedByEdge(third);
        host.expectSilence(Duration.ofMillis(200));
    }

    // ---- item 15: one pending offer per client, a cooldown per pair ----

    @Test
    void aClientRepeatingRequestOfferMakesItsHostOfferAtMostOnce(Vertx vertx) throws Exception {
        start(vertx, new JsonObject());
        SignallingClient host = player(vertx, "127.0.0.1");
        long hostId = servedByEdge(host);
        SignallingClient client = player(vertx, "127.0.0.2");
        long clientId = placedOn(client, host, hostId);
        int repeats = 20;
        for (int i = 0; i < repeats; i++) {
            client.send(new JsonObject().put("command", "request_offer"));
            Thread.sleep(15);
        }
        // Every repeat was handled when the pong arrives: each was refused with an error, none got an offer.
        client.send(new JsonObject().put("command", "ping"));
        int refused = 0;
        for (JsonObject reply = client.next(); !"pong".equals(reply.getString("command")); reply = client.next()) {
            assertTrue(reply.containsKey("error"), "a repeat gets an error, not an offer: " + reply.encode());
            refused++;
        }
        assertEquals(repeats, refused);
        List<JsonObject> toHost = drain(host, Duration.ofMillis(500));
        long asked = toHost.stream().filter(m -> "request_offer_p2p".equals(m.getString("command"))).count();
        System.out.println(repeats + " repeated request_offer -> the host was asked to offer " + asked + " more time(s); "
                + "it got " + toHost);
        assertEquals(0, asked, "the host is asked once per client: " + toHost);

        // Once the host offered and the client answered, asking again ends that relay; the pair is not tried again.
        host.send(new JsonObject().put("command", "offer_p2p").put("id", hostId).put("peer_id", clientId)
                .put("sdp", sdp("offer", p2pedge.testing.P2pScript.FAKE_OFFER)));
        expectCommand(client, "offer");
        client.send(new JsonObject().put("command", "answer").put("id", clientId).put("peer_id", hostId)
                .put("sdp", sdp("answer", FAKE_ANSWER)));
        host.expect("answer_p2p");
        client.send(new JsonObject().put("command", "request_offer"));
        assertEquals(0, expectCommand(client, "offer").getLong("peer_id"), "served by the edge, not its host again");
        assertEquals(clientId, host.expect("stop").getLong("peer_id"));
        host.expectSilence(Duration.ofMillis(300));
    }

    /** Skips errors (a refused repeat) up to {@code command}. */
    private static JsonObject expectCommand(SignallingClient player, String command) throws Exception {
        for (int i = 0; i < 100; i++) {
            JsonObject message = player.next();
            if (command.equals(message.getString("command"))) {
                return message;
            }
            assertTrue(message.containsKey("error"), "expected " + command + " or an error, got " + message.encode());
        }
        throw new AssertionError("no " + command);
    }

    private static List<JsonObject> drain(SignallingClient player, Duration quiet) throws Exception {
        List<JsonObject> out = new ArrayList<>();
        while (true) {
            try {
                out.add(player.next(quiet));
            } catch (AssertionError silence) {
                return out;
            }
        }
    }

    // ---- item 14: candidates aimed at a peer's machine or network are not relayed ----

    private static final String HOST_SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
            + "c=IN IP4 0.0.0.0\r\n"
            + "a=candidate:1 1 udp 2122260223 192.168.1.20 50000 typ host\r\n"
            + "a=candidate:2 1 tcp 1518280447 169.254.169.254 80 typ host tcptype passive\r\n"
            + "a=candidate:3 1 tcp 1518280447 127.0.0.1 6379 typ host tcptype passive\r\n"
            + "a=candidate:4 1 udp 2122260223 3c9a4d1e-7b2f-4a51-9c1d-2f6e8b0a4c55.local 50001 typ host\r\n"
            + "a=mid:0\r\n";

    private static JsonObject candidate(String line) {
        return new JsonObject().put("candidate", line).put("sdpMLineIndex", 0);
    }

    @Test
    void candidatesAimedAtAPeersMachineOrNetworkAreNotRelayed(Vertx vertx) throws Exception {
        start(vertx, new JsonObject().put("p2p", new JsonObject().put("allowLoopbackCandidates", false)));
        SignallingClient host = player(vertx, "127.0.0.1");
        long hostId = servedByEdge(host);
        // Behind the same address as the host: NAT-aware placement pairs them without a NAT probe.
        SignallingClient client = player(vertx, "127.0.0.1");
        long clientId = placedOn(client, host, hostId);

        JsonArray hostCandidates = new JsonArray()
                .add(candidate("candidate:5 1 tcp 1518280447 169.254.169.254 80 typ host tcptype passive"))
                .add(candidate("candidate:6 1 udp 2122260223 127.0.0.1 50000 typ host"))
                .add(candidate("candidate:7 1 udp 2122260223 0.0.0.0 1234 typ host"))
                .add(candidate("candidate:8 1 udp 2122260223 224.0.0.251 5353 typ host"))
                .add(candidate("candidate:9 1 udp 2122260223 fd00:ec2::254 50000 typ host"))
                .add(candidate("candidate:10 1 tcp 1518280447 10.0.0.8 3306 typ host tcptype passive"))
                .add(candidate("candidate:11 1 udp 2122260223 10.0.0.5 50002 typ host"))
                .add(candidate("candidate:12 1 udp 1686052607 203.0.113.7 50003 typ srflx raddr 10.0.0.5 rport 50002"))
                .add(candidate("candidate:13 1 tcp 1518280447 10.0.0.8 9 typ host tcptype active"));
        host.send(new JsonObject().put("command", "offer_p2p").put("id", hostId).put("peer_id", clientId)
                .put("sdp", sdp("offer", HOST_SDP)).put("candidates", hostCandidates));
        JsonObject offer = client.expect("offer");
        String relayedSdp = offer.getJsonObject("sdp").getString("sdp");
        System.out.println("the host's offer as its client got it:\n" + relayedSdp + offer.getJsonArray("candidates").encodePrettily());
        assertFalse(relayedSdp.contains("169.254.169.254"), relayedSdp);
        assertFalse(relayedSdp.contains("127.0.0.1 6379"), relayedSdp);
        assertTrue(relayedSdp.contains("192.168.1.20 50000 typ host"), "home LAN addresses stay: " + relayedSdp);
        assertTrue(relayedSdp.contains(".local 50001 typ host"), "mDNS names stay: " + relayedSdp);
        assertTrue(relayedSdp.contains("a=mid:0\r\n"), "the rest of the SDP is untouched: " + relayedSdp);
        List<String> kept = offer.getJsonArray("candidates").stream()
                .map(c -> ((JsonObject) c).getString("candidate").split(" ")[4] + " " + ((JsonObject) c).getString("candidate").split(" ")[5])
                .toList();
        assertEquals(List.of("10.0.0.5 50002", "203.0.113.7 50003", "10.0.0.8 9"), kept, offer.encode());

        client.send(new JsonObject().put("command", "answer").put("id", clientId).put("peer_id", hostId)
                .put("sdp", sdp("answer", FAKE_ANSWER + "a=candidate:1 1 udp 2122260223 127.0.0.1 40000 typ host\r\n")));
        String answer = host.expect("answer_p2p").getJsonObject("sdp").getString("sdp");
        assertFalse(answer.contains("127.0.0.1 40000"), answer);
        for (String bad : List.of("candidate:2 1 udp 2122260223 127.0.0.1 40000 typ host",
                "candidate:3 1 udp 2122260223 fe80::1c2d:3eff:fe4f:5a6b 40000 typ host",
                "candidate:4 1 tcp 1518280447 192.168.0.3 6379 typ host tcptype passive",
                "candidate:5 1 udp 2122260223 255.255.255.255 40000 typ host",
                "candidate:6 1 udp 2122260223 metadata.google.internal 80 typ host")) {
            client.send(new JsonObject().put("command", "candidate").put("id", clientId).put("peer_id", hostId)
                    .put("candidates", new JsonArray().add(candidate(bad))));
        }
        client.send(new JsonObject().put("command", "candidate").put("id", clientId).put("peer_id", hostId)
                .put("candidates", new JsonArray().add(candidate("candidate:7 1 udp 2122260223 192.168.0.3 40000 typ host"))));
        JsonObject toHost = host.expect("candidate_p2p");
        assertEquals(new JsonArray().add(candidate("candidate:7 1 udp 2122260223 192.168.0.3 40000 typ host")),
                toHost.getJsonArray("candidates"), "only the good one reaches the host: " + toHost.encode());
        client.roundTrip();

        Scrape scrape = Scrape.of(edge.metricsPort());
        String dropped = "p2pedge_p2p_candidates_dropped_total";
        System.out.println(scrape.text().lines().filter(l -> l.startsWith(dropped)).toList());
        // offer SDP: metadata, loopback; offer candidates: metadata x2 (169.254.169.254, fd00:ec2::254), loopback,
        // unspecified, multicast, service port; answer SDP: loopback; client candidates: loopback, link-local,
        // service port, broadcast, hostname.
        assertEquals(4, scrape.value(dropped, "reason=\"loopback\""), "127.0.0.1:6379 counts as loopback");
        assertEquals(3, scrape.value(dropped, "reason=\"metadata\""));
        assertEquals(1, scrape.value(dropped, "reason=\"link_local\""));
        assertEquals(1, scrape.value(dropped, "reason=\"unspecified\""));
        assertEquals(2, scrape.value(dropped, "reason=\"multicast_broadcast\""));
        assertEquals(2, scrape.value(dropped, "reason=\"service_port\""));
        assertEquals(1, scrape.value(dropped, "reason=\"hostname\""));
    }

    // ---- item 18: the open status page has figures, no ids ----

    @Test
    void theOpenStatusPageShowsFiguresAndTheAdminPortTheIds(Vertx vertx) throws Exception {
        start(vertx, new JsonObject());
        SignallingClient host = player(vertx, "127.0.0.1");
        long hostId = servedByEdge(host);
        SignallingClient client = player(vertx, "127.0.0.2");
        long clientId = placedOn(client, host, hostId);
        relay(host, hostId, client, clientId);

        HttpResponse<String> open = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + edge.port() + "/api/p2p")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, open.statusCode());
        JsonObject status = new JsonObject(open.body());
        assertEquals(2, status.getInteger("viewers"));
        assertEquals(1, status.getJsonObject("byRole").getInteger("client"));
        assertEquals(0.5, status.getDouble("offloadRatio"));
        assertEquals(1, status.getJsonObject("counters").getInteger("placementsOnHosts"));
        assertFalse(status.containsKey("hosts"), "no per-host list on the open port: " + open.body());
        assertFalse(open.body().contains(Long.toString(hostId)) || open.body().contains(Long.toString(clientId)),
                "no session id on the open port: " + open.body());

        assertEquals(401, AdminClient.call(edge.metricsPort(), "GET", "/admin/hosts", null).statusCode());
        assertEquals(401, AdminClient.call(edge.metricsPort(), "GET", "/admin/hosts", "guess").statusCode());
        JsonObject record = hostRecord(hostId);
        assertEquals(new JsonArray().add(clientId), record.getJsonArray("clients"), record.encode());
    }
}
