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
}
