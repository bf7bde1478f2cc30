package p2pedge.p2p;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The open hosts are exactly those with a free slot, oldest first, whatever order they filled and freed in. */
class HostTableTest {

    private static HostEntry host(long id, int capacity) {
        return new HostEntry(id, "edge-1", "app/stream", "Blink", capacity, Map.of(), HostHealth.NEW,
                Reachability.unmeasured("192.0.2.1"), 0);
    }

    private static List<Long> ids(java.util.Collection<HostEntry> hosts) {
        return hosts.stream().map(HostEntry::hostId).toList();
    }

    @Test
    void openHostsFollowTheirFreeSlotsInRegistrationOrder() {
        HostTable table = new HostTable();
        table.put(host(5, 1));
        table.put(host(3, 1));
        table.put(host(9, 0));
        assertEquals(List.of(5L, 3L, 9L), ids(table.all()));
        assertEquals(List.of(5L, 3L), ids(table.open()), "a host without slots is not open");

        table.put(table.get(5).withClient(100, "edge-1"));
        assertEquals(List.of(3L), ids(table.open()), "a full host leaves the open ones");
        table.put(table.get(5).withoutClient(100));
        assertEquals(List.of(5L, 3L), ids(table.open()), "and comes back in its old place, before younger hosts");
        table.put(table.get(9).withCapacity(2));
        assertEquals(List.of(5L, 3L, 9L), ids(table.open()));

        assertEquals(3L, table.remove(3).hostId());
        assertNull(table.remove(3));
        table.removeIf(h -> h.hostId() == 9);
        assertEquals(List.of(5L), ids(table.open()));
        assertEquals(List.of(5L), ids(table.all()));
        table.put(host(3, 1));
        assertEquals(List.of(5L, 3L), ids(table.open()), "a host registered again is the youngest");
        table.clear();
        assertEquals(List.of(), ids(table.all()));
        assertEquals(List.of(), ids(table.open()));
    }

    @Test
    void aHostsOwnEdgeChangesItOneStepAtATimeAndSaysWhatChanged() {
        HostTable table = new HostTable();
        table.put(host(5, 2));
        assertEquals(Map.of(100L, "edge-1"), table.take(5, 100, "edge-1").clients());
        assertNull(table.take(5, 100, "edge-1"), "a client holds one slot of a host");
        assertEquals(Map.of(100L, "edge-1", 101L, "edge-2"), table.take(5, 101, "edge-2").clients());
        assertNull(table.take(5, 102, "edge-1"), "no free slot");
        assertNull(table.take(7, 102, "edge-1"), "an unknown host");
        assertEquals(List.of(), ids(table.open()));

        assertEquals(Map.of(100L, "edge-1"), table.giveBack(5, 101).clients());
        assertNull(table.giveBack(5, 101), "a slot is given back once");
        assertEquals(List.of(5L), ids(table.open()));

        assertEquals(HostHealth.NEW.offers() + 1, table.applyHealth(5, HealthEvent.offered(40)).health().offers());
        assertNull(table.applyHealth(7, HealthEvent.offered(40)));

        table.take(5, 103, "edge-2");
        assertEquals(Map.of(103L, "edge-2"), table.resize(5, 1), "the newest client no longer fits");
        assertEquals(Map.of(100L, "edge-1"), table.get(5).clients());
        assertEquals(Map.of(), table.resize(7, 1));

        table.put(host(6, 2));
        table.take(6, 104, "edge-2");
        table.take(5, 105, "edge-2");
        assertEquals(List.of(6L), ids(table.dropClientsOf("edge-2")), "only hosts that had clients there change");
        assertEquals(Map.of(), table.get(6).clients());
        assertEquals(Map.of(100L, "edge-1"), table.get(5).clients());
    }
}
