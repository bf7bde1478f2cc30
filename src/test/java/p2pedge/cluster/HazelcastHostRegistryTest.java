package p2pedge.cluster;

import com.hazelcast.map.IMap;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import p2pedge.cluster.events.ClusterEvents;
import p2pedge.cluster.events.RemoteSlot;
import p2pedge.p2p.HealthEvent;
import p2pedge.p2p.HostEntry;
import p2pedge.p2p.HostHealth;
import p2pedge.p2p.Reachability;
import p2pedge.testing.TestCluster;
import p2pedge.testing.Waits;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster's host registry over three real Hazelcast members with clustered Vert.x: each host's slots are taken
 * on its own edge only (never more than its capacity, whatever the races between edges), releases and health reach
 * that edge, every edge's copy follows, and a host of an edge that is gone is skipped and then forgotten.
 */
@Tag("cluster")
class HazelcastHostRegistryTest {

    private static final String STREAM = "app/stream";

    private TestCluster cluster;
    private final List<Edge> edges = new ArrayList<>();
    private Edge a;
    private Edge b;
    private Edge c;

    /** One edge's registry, confined to one context as the classification verticle's is. */
    private record Edge(TestCluster.Node node, Context context, HazelcastHostRegistry registry) {

        String id() {
            return node.manager().getNodeId();
        }

        <T> T call(Supplier<Future<T>> call) throws Exception {
            Promise<T> result = Promise.promise();
            context.runOnContext(v -> call.get().onComplete(result));
            return result.future().await(10, TimeUnit.SECONDS);
        }

        Map<Long, HostEntry> hosts() throws Exception {
            Collection<HostEntry> all = call(registry::snapshot);
            Map<Long, HostEntry> byId = new java.util.TreeMap<>();
            all.forEach(h -> byId.put(h.hostId(), h));
            return byId;
        }

        Optional<HostEntry> reserve(long client, Set<Long> excluded) throws Exception {
            return call(() -> registry.reserve(STREAM, "Blink", client, id(), excluded, h -> true, h -> h.hostId()));
        }
    }

    @BeforeEach
    void start() throws Exception {
        cluster = new TestCluster(new JsonObject());
        for (int i = 0; i < 3; i++) {
            TestCluster.Node node = cluster.startNode();
            Context context = node.vertx().getOrCreateContext();
            HazelcastHostRegistry registry = new HazelcastHostRegistry(node.vertx(), node.manager().getHazelcastInstance(),
                    node.manager().getNodeId());
            Edge edge = new Edge(node, context, registry);
            edge.call(registry::open);
            edges.add(edge);
        }
        a = edges.get(0);
        b = edges.get(1);
        c = edges.get(2);
    }

    @AfterEach
    void stop() throws Exception {
        for (Edge edge : edges) {
            edge.node().vertx().close().await(30, TimeUnit.SECONDS);
        }
    }

    private static HostEntry host(long id, Edge edge, int capacity) {
        return new HostEntry(id, edge.id(), STREAM, "Blink", capacity, Map.of(), HostHealth.NEW, Reachability.unmeasured("192.0.2.1"), 0);
    }

    private void everyEdgeSees(Map<Long, HostEntry> expected) throws Exception {
        Waits.until(() -> {
            for (Edge e : edges) {
                if (!e.hosts().equals(expected)) {
                    return false;
                }
            }
            return true;
        }, 10_000, "every edge's copy equals the owner's " + expected);
    }

    @Test
    void racingEdgesNeverTakeMoreSlotsThanTheHostHasAndEveryCopyFollows() throws Exception {
        a.call(() -> a.registry().register(host(1, a, 2)));
        everyEdgeSees(a.hosts());
        // What the host's edge tells its signalling (which asks the host to offer, or to stop).
        List<RemoteSlot> granted = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<RemoteSlot> released = new java.util.concurrent.CopyOnWriteArrayList<>();
        a.node().vertx().eventBus().<JsonObject>localConsumer(ClusterEvents.SLOT_GRANTED, m -> granted.add(RemoteSlot.fromJson(m.body())))
                .completion().await(5, TimeUnit.SECONDS);
        a.node().vertx().eventBus().<JsonObject>localConsumer(ClusterEvents.SLOT_RELEASED, m -> released.add(RemoteSlot.fromJson(m.body())))
                .completion().await(5, TimeUnit.SECONDS);

        // Four clients on B and C ask for the host's two slots at once.
        List<Future<Optional<HostEntry>>> asked = new ArrayList<>();
        for (long client = 10; client < 14; client++) {
            Edge from = client % 2 == 0 ? b : c;
            long id = client;
            Promise<Optional<HostEntry>> p = Promise.promise();
            from.context().runOnContext(v -> from.registry().reserve(STREAM, "Blink", id, from.id(), Set.of(), h -> true, h -> 0)
                    .onComplete(p));
            asked.add(p.future());
        }
        Future.all(asked).await(10, TimeUnit.SECONDS);
        List<Long> placed = new ArrayList<>();
        for (int i = 0; i < asked.size(); i++) {
            if (asked.get(i).result().isPresent()) {
                placed.add(10L + i);
            }
        }
        assertEquals(2, placed.size(), "two of four racing clients get the two slots: " + placed);
        HostEntry owned = a.hosts().get(1L);
        assertEquals(Set.copyOf(placed), owned.clients().keySet(), "the host's own edge holds exactly the clients told yes");
        everyEdgeSees(a.hosts());
        Waits.until(() -> granted.size() == 2, 5_000, "each slot granted is announced on the host's edge");
        assertEquals(placed.stream().map(id -> new RemoteSlot(1, id, (id % 2 == 0 ? b : c).id())).collect(Collectors.toSet()),
                Set.copyOf(granted), "the clients told yes, with their edges");

        // A release and a health event from C reach the host's edge, and every copy after it.
        long fromC = placed.stream().filter(id -> id % 2 == 1).findFirst().orElse(placed.get(0));
        Edge releasing = fromC % 2 == 1 ? c : b;
        assertTrue(releasing.call(() -> releasing.registry().release(1, fromC)));
        c.call(() -> c.registry().updateHealth(1, HealthEvent.hostFailed()));
        Waits.until(() -> a.hosts().get(1L).health().hostFailures() == 1 && a.hosts().get(1L).clients().size() == 1, 5_000,
                "the release and the host failure applied on the host's edge");
        everyEdgeSees(a.hosts());
        Waits.until(() -> !released.isEmpty(), 5_000, "the slot given back is announced");
        assertEquals(List.of(new RemoteSlot(1, fromC, releasing.id())), released, "once, with its client's edge");
        assertTrue(b.reserve(20, Set.of()).isPresent(), "the freed slot is taken again");
        assertEquals(Optional.empty(), c.reserve(21, Set.of()), "and then the host is full");
    }

    @Test
    void aHostOfAnEdgeThatIsGoneIsSkippedAndThenForgotten() throws Exception {
        a.call(() -> a.registry().register(host(7, a, 2)));
        c.call(() -> c.registry().register(host(3, c, 2)));
        Map<Long, HostEntry> both = new java.util.TreeMap<>(a.hosts());
        both.putAll(c.hosts());
        Waits.until(() -> b.hosts().equals(both), 10_000, "B sees both hosts");

        // A dies. Before B hears of it, A's host (ranked first: higher score) cannot answer, and B's clients go to C's
        // host (or, while the cluster's event bus is still settling on who is left, to none: played from the edge).
        a.node().manager().getHazelcastInstance().getLifecycleService().terminate();
        // Its verticles still run until its Vert.x closes: changes to its hosts meet a Hazelcast that is gone.
        assertEquals(Map.of(), a.call(() -> a.registry().register(host(8, a, 2)).compose(v -> a.registry().unregister(8))));
        a.node().vertx().close().await(30, TimeUnit.SECONDS);
        edges.remove(a);
        long[] client = {30};
        Waits.until(() -> b.reserve(++client[0], Set.of()).map(h -> {
            assertEquals(3, h.hostId(), "only the live edge's host");
            return true;
        }).orElse(false), 10_000, "a client of B placed on C's host");
        b.call(() -> b.registry().purgeEdge(a.id()));
        Waits.until(() -> !b.hosts().containsKey(7L) && !c.hosts().containsKey(7L), 10_000, "the dead edge's host is forgotten");
        assertEquals(Map.of(client[0], b.id()), c.hosts().get(3L).clients());
    }

    /** An entry whose edge is no member (published by a dying edge after the others purged it) leaves the map too. */
    @Test
    void anEntryOfAnEdgeThatIsNoMemberIsRemovedFromTheMap() throws Exception {
        a.call(() -> a.registry().register(host(5, a, 2)));
        everyEdgeSees(a.hosts());
        HostEntry orphan = new HostEntry(9, "edge-that-left", STREAM, "Blink", 2, Map.of(), HostHealth.NEW,
                Reachability.unmeasured("192.0.2.9"), 0);
        IMap<Long, HostEntry> map = b.node().manager().getHazelcastInstance().getMap(HazelcastHostRegistry.MAP);
        map.set(9L, orphan);
        Waits.until(() -> !map.containsKey(9L), HazelcastHostRegistry.RESYNC_MILLIS + 5_000, "the orphan removed at a resync");
        assertTrue(map.containsKey(5L), "a member's host stays");
        for (Edge e : edges) {
            assertFalse(e.hosts().containsKey(9L), "no edge offers the orphan");
        }
    }
}
