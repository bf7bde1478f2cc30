package p2pedge.signalling;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ClientsByHostTest {

    private record Pair(long client, long host) {
    }

    private final ClientsByHost<Pair> pairs = new ClientsByHost<>(Pair::host);

    @Test
    void aHostsPairingsAreFoundWithoutTheOthers() {
        pairs.put(1, new Pair(1, 100));
        pairs.put(2, new Pair(2, 100));
        pairs.put(3, new Pair(3, 200));
        assertEquals(Set.of(new Pair(1, 100), new Pair(2, 100)), new HashSet<>(pairs.ofHost(100)));
        assertEquals(List.of(new Pair(3, 200)), pairs.ofHost(200));
        assertEquals(List.of(), pairs.ofHost(300));
    }

    @Test
    void aClientPairedAgainLeavesItsFormerHost() {
        pairs.put(1, new Pair(1, 100));
        pairs.put(1, new Pair(1, 200));
        assertEquals(List.of(), pairs.ofHost(100));
        assertEquals(List.of(new Pair(1, 200)), pairs.ofHost(200));
        assertEquals(new Pair(1, 200), pairs.remove(1));
        assertEquals(List.of(), pairs.ofHost(200));
        assertNull(pairs.remove(1));
    }

    @Test
    void removingAHostOrByATestKeepsBothViewsTheSame() {
        pairs.put(1, new Pair(1, 100));
        pairs.put(2, new Pair(2, 100));
        pairs.put(3, new Pair(3, 200));
        pairs.put(4, new Pair(4, 300));
        pairs.removeHost(100);
        assertNull(pairs.get(1));
        assertNull(pairs.get(2));
        pairs.removeIf((client, pair) -> client == 3);
        assertEquals(List.of(), pairs.ofHost(200));
        assertEquals(List.of(new Pair(4, 300)), List.copyOf(pairs.values()));
        pairs.put(5, new Pair(5, 100));
        assertEquals(List.of(new Pair(5, 100)), pairs.ofHost(100), "a host removed can host again");
    }
}
