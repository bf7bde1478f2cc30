package p2pedge.p2p;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.media.MediaApi;
import p2pedge.testing.Scrape;
import p2pedge.testing.Waits;
import p2pedge.testing.SignallingClient;

import static p2pedge.testing.P2pScript.*;
import p2pedge.testing.TestEdge;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The P2P message flow of the OvenMediaEngine protocol with synthetic players over real WebSockets and fake
 * SDP (the edge only carries P2P SDP): placement, relaying, peer_id checks, timeouts and failover.
 * Uses the {@code ome} policy, which registers hosts at offer time, so no real media is needed.
 */
@ExtendWith(VertxExtension.class)
class P2pSignallingTest {
    static final String IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
            + "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

    private final List<SignallingClient> players = new ArrayList<>();
    private TestEdge edge;

    private TestEdge start(Vertx vertx, JsonObject p2p) throws Exception {
        JsonObject settings = new JsonObject().put("policy", "ome").put("hostOfferTimeoutMillis", 600)
                .put("relayConnectTimeoutMillis", 1000).mergeIn(p2p);
        edge = TestEdge.startWithFakeMedia(vertx, new JsonObject().put("p2p", settings).put("streams", new JsonArray()
                .add(new JsonObject().put("name", "app/stream").put("source", "demo").put("width", 320).put("height", 180).put("fps", 15))
                .add(new JsonObject().put("name", "app/other").put("source", "demo").put("width", 320).put("height", 180).put("fps", 15))));
        return edge;
    }

    @AfterEach
    void stop() throws Exception {
        players.forEach(SignallingClient::close);
        if (edge != null) {
            edge.awaitMediaConnections(0, 5_000);
            edge.close();
        }
    }

    private SignallingClient player(Vertx vertx, String userAgent, String stream) throws Exception {
        SignallingClient player = SignallingClient.connect(vertx, edge.port(), "/" + stream, userAgent);
        players.add(player);
        return player;
    }

    private SignallingClient player(Vertx vertx) throws Exception {
        return player(vertx, CHROME_WINDOWS, "app/stream");
    }

    @Test
    void fullRelayFlowBetweenHostAndClient(Vertx vertx) throws Exception {
        start(vertx, new JsonObject());
        SignallingClient host = player(vertx);
        long hostId = servedByEdge(host);
        SignallingClient client = player(vertx);
        long clientId = placedOn(client, host, hostId);
        relay(host, hostId, client, clientId);
        client.send(new JsonObject().put("command", "candidate").put("id", clientId).put("peer_id", hostId)
                .put("candidates", new JsonArray().add(CANDIDATE)));
        JsonObject toHost = host.expect("candidate_p2p");
        assertEquals(hostId, toHost.getLong("id"));
        assertEquals(clientId, toHost.getLong("peer_id"));
        host.send(new JsonObject().put("command", "candidate_p2p").put("id", hostId).put("peer_id", clientId)
                .put("candidates", new JsonArray().add(CANDIDATE)));
        JsonObject toClient = client.expect("candidate");
        assertEquals(clientId, toClient.getLong("id"));
        assertEquals(hostId, toClient.getLong("peer_id"));
        assertEquals(1, edge.mediaConnections(), "only the host costs the edge a connection");
        JsonObject status = status();
        assertEquals(2, status.getInteger("viewers"));
        assertEquals(1, status.getJsonObject("byRole").getInteger("client"));
        assertEquals(0.5, status.getDouble("offloadRatio"));
        assertEquals(1, status.getJsonObject("counters").getInteger("placementsOnHosts"));
        // Who relays to whom is for operators (/admin/hosts, P2pTrustTest), not on the open status page.
        assertEquals(new JsonArray().add(clientId), edge.hosts().getJsonObject(0).getJsonArray("clients"));
    }

    /** The edge's P2P status page, as an operator reads it. */
    private JsonObject status() throws Exception {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + edge.port() + "/api/p2p")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return new JsonObject(response.body());
    }

    @Test
    void hostsTakeAtMostNClientsThenTheEdgeServesAndMakesNewHosts(Vertx vertx) throws Exception {
        start(vertx, new JsonObject().put("maxClientPeersPerHostPeer", 2));
        SignallingClient host = player(vertx);
        long hostId = servedByEdge(host);
        for (int i = 0; i < 2; i++) {
            SignallingClient client = player(vertx);
            relay(host, hostId, client, placedOn(client, host, hostId));
        }
        SignallingClient third = player(vertx);
        long secondHost = servedByEdge(third);
        SignallingClient fourth = player(vertx);
        placedOn(fourth, third, secondHost);
        host.expectSilence(Duration.ofMillis(200));
        assertEquals(2, edge.mediaConnections());
    }

    @Test
    void peerIdsAreCheckedNeverRelayedToStrangers(Vertx vertx) throws Exception {
        start(vertx, new JsonObject().put("maxClientPeersPerHostPeer", 1));
        SignallingClient host = player(vertx);
        long hostId = servedByEdge(host);
        SignallingClient client = player(vertx);
        long clientId = placedOn(client, host, hostId);
        SignallingClient stranger = player(vertx); // the host is full: edge-served host of its own
        long strangerId = servedByEdge(stranger);

        stranger.send(new JsonObject().put("command", "candidate").put("id", strangerId).put("peer_id", hostId)
                .put("candidates", new JsonArray().add(CANDIDATE)));
        assertEquals(400, stranger.next().getInteger("code"));
        host.send(new JsonObject().put("command", "offer_p2p").put("id", hostId).put("peer_id", strangerId)
                .put("sdp", sdp("offer", FAKE_OFFER)));
        assertEquals(400, host.next().getInteger("code"));
        client.send(new JsonObject().put("command", "answer").put("id", clientId).put("peer_id", strangerId)
                .put("sdp", sdp("answer", FAKE_ANSWER)));
        assertEquals(400, client.next().getInteger("code"));
        stranger.send(new JsonObject().put("command", "candidate_p2p").put("id", strangerId).put("peer_id", clientId)
                .put("candidates", new JsonArray().add(CANDIDATE)));
        assertEquals(400, stranger.next().getInteger("code"));
        client.expectSilence(Duration.ofMillis(200));
        host.roundTrip();
        stranger.roundTrip();
    }

    @Test
    void whenAHostLeavesItsClientsGetStopAndAreServedAgain(Vertx vertx) throws Exception {
        start(vertx, new JsonObject());
        SignallingClient host = player(vertx);
        long hostId = servedByEdge(host);
        List<SignallingClient> clients = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            SignallingClient client = player(vertx);
            long id = placedOn(client, host, hostId);
            relay(host, hostId, client, id);
            clients.add(client);
            ids.add(id);
        }
        host.close();
        for (int i = 0; i < 2; i++) {
            JsonObject stop = clients.get(i).expect("stop");
            assertEquals(ids.get(i), stop.getLong("id"));
            assertEquals(hostId, stop.getLong("peer_id"));
        }
        // They ask again: the first is served by the edge (and hosts), the second lands on it.
        long newHost = servedByEdge(clients.get(0));
        assertEquals(ids.get(1), placedOn(clients.get(1), clients.get(0), newHost));
    }

    @Test
    void aClientThatTakesAnOfferAfterAStopIsServedUnaskedWhenItsHostLeaves(Vertx vertx) throws Exception {
        start(vertx, new JsonObject());
        SignallingClient host = player(vertx);
        long hostId = servedByEdge(host);
        SignallingClient page = player(vertx);
        page.send(new JsonObject().put("command", "request_offer").put("offer_after_stop", true));
        long pageId = host.expect("request_offer_p2p").getLong("peer_id");
        relay(host, hostId, page, pageId);
        SignallingClient ovenPlayer = player(vertx);
        long ovenPlayerId = placedOn(ovenPlayer, host, hostId);
        relay(host, hostId, ovenPlayer, ovenPlayerId);
        host.close();
        JsonObject stop = page.expect("stop");
        assertEquals(hostId, stop.getLong("peer_id"));
        assertEquals(Boolean.TRUE, stop.getBoolean("offer_follows"));
        JsonObject offer = page.expect("offer");
        assertEquals(pageId, offer.getLong("id"), "the same session, which never asked again");
        assertEquals(0, offer.getLong("peer_id"), "served by the edge, never placed back on the host that left");
        // That offer is timed from the stop, apart from the offers players ask for (here the host's own).
        Scrape scrape = Scrape.of(edge.metricsPort());
        for (String stage : List.of("placement", "media")) {
            assertEquals(1, scrape.value("p2pedge_offer_seconds_count", "after=\"stop\",stage=\"" + stage + "\""), scrape.text());
            assertEquals(1, scrape.value("p2pedge_offer_seconds_count", "after=\"request_offer\",stage=\"" + stage + "\""));
        }
        JsonObject plainStop = ovenPlayer.expect("stop");
        assertEquals(hostId, plainStop.getLong("peer_id"));
        assertFalse(plainStop.containsKey("offer_follows"), "OvenPlayer asks again itself: " + plainStop.encode());
        ovenPlayer.expectSilence(Duration.ofMillis(300));
        assertEquals(ovenPlayerId, placedOn(ovenPlayer, page, pageId), "it asks and lands on the page, a host now");
    }

    /**
     * The offer that follows a stop is asked of the media plane beside the player's placement, not after it; a player
     * that lands on another host instead gets none, and the offer asked for is closed again.
     */
    @Test
    void anOfferFollowingAStopIsAskedForBesidePlacementAndClosedWhenThePlayerLandsOnAHost(Vertx vertx) throws Exception {
        start(vertx, new JsonObject());
        List<String> sent = Collections.synchronizedList(new ArrayList<>());
        vertx.eventBus().addOutboundInterceptor(delivery -> {
            String address = delivery.message().address();
            if (address.equals(MediaApi.OFFER) || address.equals(P2pApi.CLASSIFY)) {
                sent.add(address + " " + ((JsonObject) delivery.message().body()).getLong("session"));
            }
            delivery.next();
        });
        SignallingClient host = player(vertx);
        long hostId = servedByEdge(host);
        List<SignallingClient> pages = new ArrayList<>();
        List<Long> pageIds = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            SignallingClient page = player(vertx);
            page.send(new JsonObject().put("command", "request_offer").put("offer_after_stop", true));
            long pageId = host.expect("request_offer_p2p").getLong("peer_id");
            relay(host, hostId, page, pageId);
            pages.add(page);
            pageIds.add(pageId);
        }
        SignallingClient other = player(vertx);
        long otherId = servedByEdge(other); // the first host is full: the edge serves it, and it hosts
        edge.awaitMediaConnections(2, 5_000);
        sent.clear();
        host.close();
        List<Long> askedOfOther = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            assertEquals(Boolean.TRUE, pages.get(i).expect("stop").getBoolean("offer_follows"));
            JsonObject request = other.expect("request_offer_p2p");
            assertEquals(otherId, request.getLong("id"));
            askedOfOther.add(request.getLong("peer_id"));
        }
        assertEquals(java.util.Set.copyOf(pageIds), java.util.Set.copyOf(askedOfOther), "both placed on the other host");
        for (long pageId : pageIds) {
            int offer = sent.indexOf(MediaApi.OFFER + " " + pageId);
            assertTrue(offer >= 0 && offer < sent.indexOf(P2pApi.CLASSIFY + " " + pageId), "the offer asked for first: " + sent);
        }
        edge.awaitMediaConnections(1, 5_000); // the other host's own: the two offers asked for are closed
        for (SignallingClient page : pages) {
            page.expectSilence(Duration.ofMillis(200)); // no edge offer reaches a player that plays from a host
        }
    }

    @Test
    void whenAClientLeavesItsHostGetsStopAndTheSlotIsFree(Vertx vertx) throws Exception {
        start(vertx, new JsonObject().put("maxClientPeersPerHostPeer", 1));
        SignallingClient host = player(vertx);
        long hostId = servedByEdge(host);
        SignallingClient client = player(vertx);
        long clientId = placedOn(client, host, hostId);
        relay(host, hostId, client, clientId);
        client.close();
        JsonObject stop = host.expect("stop");
        assertEquals(hostId, stop.getLong("id"));
        assertEquals(clientId, stop.getLong("peer_id"));
        SignallingClient next = player(vertx);
        placedOn(next, host, hostId);
    }

    @Test
    void aSilentHostLosesItsClientWhoGetsAnEdgeOfferAtOnce(Vertx vertx) throws Exception {
        start(vertx, new JsonObject());
        SignallingClient host = player(vertx);
        long hostId = servedByEdge(host);
        SignallingClient client = player(vertx);
        long clientId = placedOn(client, host, hostId);
        long asked = System.nanoTime();
        // The host never answers: the client gets an offer from the edge (not a stop, which breaks OvenPlayer).
        JsonObject offer = client.next(Duration.ofSeconds(5));
        long waitedMillis = (System.nanoTime() - asked) / 1_000_000;
        assertEquals("offer", offer.getString("command"), offer.encode());
        assertEquals(0, offer.getLong("peer_id"));
        assertTrue(waitedMillis < 2_000, "served within the host-offer timeout, took " + waitedMillis + " ms");
        JsonObject stop = host.expect("stop");
        assertEquals(clientId, stop.getLong("peer_id"));
        // The silent host is offered no more clients: the next player goes to the edge-served client-turned-host.
        // (Its silence is measured by the edge, not reported by a client, so one case is enough: P2pTrustTest shows
        // that one client's report is not.)
        SignallingClient next = player(vertx);
        next.send(new JsonObject().put("command", "request_offer"));
        JsonObject request = client.expect("request_offer_p2p");
        assertEquals(clientId, request.getLong("id"));
        host.expectSilence(Duration.ofMillis(200));
        assertEquals(1, status().getJsonObject("counters").getJsonObject("replacements").getInteger("host_silent"));
    }

    @Test
    void aClientThatNeverAnswersIsStoppedAndReplacedElsewhere(Vertx vertx) throws Exception {
        start(vertx, new JsonObject());
        SignallingClient host = player(vertx);
        long hostId = servedByEdge(host);
        SignallingClient client = player(vertx);
        long clientId = placedOn(client, host, hostId);
        host.send(new JsonObject().put("command", "offer_p2p").put("id", hostId).put("peer_id", clientId)
                .put("sdp", sdp("offer", FAKE_OFFER)));
        client.expect("offer");
        JsonObject stop = client.next(Duration.ofSeconds(5));
        assertEquals("stop", stop.getString("command"));
        assertEquals(hostId, stop.getLong("peer_id"));
        host.expect("stop");
        // It asks again and is not handed back to the host that failed it.
        assertEquals(0, client.requestOffer().getLong("peer_id"));
    }

    @Test
    void aClientReportingRelayFailureIsReplaced(Vertx vertx) throws Exception {
        start(vertx, new JsonObject().put("relayConnectTimeoutMillis", 5000));
        SignallingClient host = player(vertx);
        long hostId = servedByEdge(host);
        SignallingClient client = player(vertx);
        long clientId = placedOn(client, host, hostId);
        client.send(new JsonObject().put("command", "stats").put("id", clientId).put("peer_id", 0).put("kbps", 0));
        relay(host, hostId, client, clientId);
        client.send(new JsonObject().put("command", "stats").put("id", clientId).put("peer_id", hostId).put("relay", "failed"));
        assertEquals(hostId, client.expect("stop").getLong("peer_id"));
        assertEquals(clientId, host.expect("stop").getLong("peer_id"));
    }

    @Test
    void playersOfDifferentStreamsAreNeverPaired(Vertx vertx) throws Exception {
        start(vertx, new JsonObject());
        SignallingClient host = player(vertx);
        servedByEdge(host);
        SignallingClient other = player(vertx, CHROME_WINDOWS, "app/other");
        servedByEdge(other);
        host.expectSilence(Duration.ofMillis(200));
    }

    @Test
    void mobilesNeverHostAndDifferentBrowsersNeverPair(Vertx vertx) throws Exception {
        start(vertx, new JsonObject());
        SignallingClient phone = player(vertx, IPHONE, "app/stream");
        servedByEdge(phone);
        SignallingClient desktop = player(vertx);
        servedByEdge(desktop); // nobody to be a client of: the phone is no host
        SignallingClient safari = player(vertx, IPHONE.replace("iPhone", "Macintosh").replace("Mobile/15E148 ", ""), "app/stream");
        servedByEdge(safari); // a Safari is not placed on a Chrome host under the reference rules
        desktop.expectSilence(Duration.ofMillis(200));
    }

    /**
     * A Host Peer's answer tells the media plane it hosts (it gets the top layer whatever its path); an edge-only
     * player's does not. The flag travels with the answer, since the offer may be asked for before the role is known.
     */
    @Test
    void theAnswerTellsTheMediaPlaneWhetherThePlayerHosts(Vertx vertx) throws Exception {
        start(vertx, new JsonObject());
        List<String> answers = Collections.synchronizedList(new ArrayList<>());
        vertx.eventBus().addOutboundInterceptor(delivery -> {
            if (delivery.message().address().equals(MediaApi.ANSWER)) {
                JsonObject body = (JsonObject) delivery.message().body();
                answers.add(body.getLong("session") + " host=" + body.getBoolean("host"));
            }
            delivery.next();
        });
        SignallingClient phone = player(vertx, IPHONE, "app/stream");
        long phoneId = servedByEdge(phone); // a phone never hosts
        SignallingClient desktop = player(vertx);
        long desktopId = servedByEdge(desktop); // nobody to be a client of: it hosts
        for (SignallingClient player : List.of(phone, desktop)) {
            long id = player == phone ? phoneId : desktopId;
            player.send(new JsonObject().put("command", "answer").put("id", id).put("sdp", sdp("answer", FAKE_ANSWER)));
        }
        Waits.until(() -> answers.size() == 2, 5_000, "both answers reach the media plane: " + answers);
        assertEquals(java.util.Set.of(phoneId + " host=false", desktopId + " host=true"), java.util.Set.copyOf(answers));
    }

    @Test
    void p2pOffMeansEveryoneIsServedByTheEdge(Vertx vertx) throws Exception {
        start(vertx, new JsonObject().put("enabled", false));
        servedByEdge(player(vertx));
        servedByEdge(player(vertx));
        assertEquals(2, edge.mediaConnections());
    }

    @Test
    void aClientNeverBecomesAHostWhileItIsAClient(Vertx vertx) throws Exception {
        start(vertx, new JsonObject().put("maxClientPeersPerHostPeer", 1));
        SignallingClient host = player(vertx);
        long hostId = servedByEdge(host);
        SignallingClient client = player(vertx);
        long clientId = placedOn(client, host, hostId);
        relay(host, hostId, client, clientId);
        SignallingClient third = player(vertx);
        long thirdId = servedByEdge(third); // the host is full; the client is no candidate
        assertNotEquals(clientId, thirdId);
        client.expectSilence(Duration.ofMillis(200));
    }

    /**
     * Policy measured: a host registered once its edge connection is up (the fake plane connects on the answer), with
     * the start slots; two clients relayed from it (saying nothing after their answers, as OvenPlayer). Returns
     * {host id, client ids...}.
     */
    private long[] measuredHostWithTwoClients(SignallingClient host, SignallingClient first, SignallingClient second) throws Exception {
        host.send(new JsonObject().put("command", "request_offer").put("reports", true));
        long hostId = host.expect("offer").getLong("id");
        host.send(new JsonObject().put("command", "answer").put("id", hostId).put("peer_id", 0).put("sdp", sdp("answer", FAKE_ANSWER)));
        long until = System.nanoTime() + 10_000_000_000L;
        while (edge.hosts().isEmpty() && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertEquals(2, edge.hosts().getJsonObject(0).getInteger("capacity"), "a new host starts with 2 slots");
        long[] ids = {hostId, 0, 0};
        SignallingClient[] clients = {first, second};
        for (int i = 0; i < 2; i++) {
            clients[i].send(new JsonObject().put("command", "request_offer"));
            ids[i + 1] = host.expect("request_offer_p2p").getLong("peer_id");
            relay(host, hostId, clients[i], ids[i + 1]);
        }
        return ids;
    }

    /** The host's own report of its relays' upload, as the project's page sends it. */
    private static void uploadReport(SignallingClient host, long hostId, int relays, int availableKbps, boolean limited) throws Exception {
        host.send(new JsonObject().put("command", "stats").put("id", hostId).put("peer_id", 0).put("kbps", 600)
                .put("upload", new JsonObject().put("relays", relays).put("kbps", relays * 600).put("available", availableKbps)
                        .put("limited", limited)));
    }

    @Test
    void aHostWhoseRelaysStayLimitedLosesASlotAndItsNewestClientPlaysFromTheEdge(Vertx vertx) throws Exception {
        start(vertx, new JsonObject().put("policy", "measured").put("capacity", new JsonObject().put("lowerAfterSeconds", 1)));
        SignallingClient host = player(vertx);
        SignallingClient older = player(vertx);
        SignallingClient newer = player(vertx);
        long[] ids = measuredHostWithTwoClients(host, older, newer);
        uploadReport(host, ids[0], 2, 900, true);
        host.roundTrip();
        assertEquals(2, edge.hosts().getJsonObject(0).getInteger("capacity"), "one limited report is no evidence");
        Thread.sleep(1_100);
        uploadReport(host, ids[0], 2, 900, true);
        JsonObject stop = host.expect("stop");
        assertEquals(ids[2], stop.getLong("peer_id"), "the host stops relaying to its newest client: " + stop.encode());
        assertEquals(ids[0], newer.expect("stop").getLong("peer_id"), "the newest client is told its host left");
        assertEquals(0, newer.requestOffer().getLong("peer_id"), "and is served by the edge when it asks again");
        JsonObject entry = edge.hosts().getJsonObject(0);
        assertEquals(1, entry.getInteger("capacity"));
        assertEquals(new JsonArray().add(ids[1]), entry.getJsonArray("clients"), "the older client stays: " + entry.encode());
        older.expectSilence(Duration.ofMillis(200));
    }

    @Test
    void aFullHostWithUploadToSpareGainsASlotAndTakesAThirdClient(Vertx vertx) throws Exception {
        start(vertx, new JsonObject().put("policy", "measured").put("capacity", new JsonObject().put("raiseAfterSeconds", 1)));
        SignallingClient host = player(vertx);
        long[] ids = measuredHostWithTwoClients(host, player(vertx), player(vertx));
        uploadReport(host, ids[0], 2, 2_000, false);
        host.roundTrip();
        Thread.sleep(1_100);
        uploadReport(host, ids[0], 2, 2_000, false);
        host.roundTrip();
        assertEquals(2, edge.hosts().getJsonObject(0).getInteger("capacity"), "2 Mbit/s is no room for a third 600 kbit/s relay x 1.2");
        uploadReport(host, ids[0], 2, 5_000, false);
        host.roundTrip();
        Thread.sleep(1_100);
        uploadReport(host, ids[0], 2, 5_000, false);
        host.roundTrip();
        assertEquals(3, edge.hosts().getJsonObject(0).getInteger("capacity"));
        SignallingClient third = player(vertx);
        third.send(new JsonObject().put("command", "request_offer"));
        assertEquals(ids[0], host.expect("request_offer_p2p").getLong("id"), "the third client is placed on the host");
    }
}
