package p2pedge.signalling;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeepAliveRingTest {

    @Test
    void aLapVisitsEveryMemberOnceSpreadOverItsTicks() {
        KeepAliveRing<Integer> ring = new KeepAliveRing<>(100);
        for (int i = 0; i < 10_000; i++) {
            ring.add(i);
        }
        Map<Integer, Integer> visits = new HashMap<>();
        for (int tick = 0; tick < 100; tick++) {
            int[] seen = {0};
            ring.tick(m -> {
                visits.merge(m, 1, Integer::sum);
                seen[0]++;
            });
            assertEquals(100, seen[0], "tick " + tick + " visits its share, not everyone");
        }
        assertEquals(10_000, visits.size());
        assertTrue(visits.values().stream().allMatch(n -> n == 1), "each member once in the lap");
        assertEquals(0, ring.laps());
        ring.tick(m -> { });
        assertEquals(1, ring.laps(), "the next tick begins the second lap");
    }

    /** Members join and leave between ticks and during a visit (an idle player closed): still once per lap each. */
    @Test
    void churnNeverSkipsNorRepeatsAMemberWithinALap() {
        Random random = new Random(17);
        KeepAliveRing<Integer> ring = new KeepAliveRing<>(7);
        List<Integer> present = new ArrayList<>();
        Map<Integer, Long> addedInLap = new HashMap<>();
        Map<Integer, Set<Long>> lapsVisited = new HashMap<>();
        Map<Integer, Long> removedInLap = new HashMap<>();
        int next = 0;
        for (int tick = 0; tick < 5_000; tick++) {
            int adds = random.nextInt(4);
            for (int i = 0; i < adds; i++) {
                ring.add(next);
                present.add(next);
                addedInLap.put(next, ring.laps());
                next++;
            }
            int removes = present.isEmpty() ? 0 : random.nextInt(Math.min(3, present.size() + 1));
            for (int i = 0; i < removes && !present.isEmpty(); i++) {
                Integer gone = present.remove(random.nextInt(present.size()));
                ring.remove(gone);
                removedInLap.put(gone, ring.laps());
            }
            ring.tick(m -> {
                assertTrue(lapsVisited.computeIfAbsent(m, k -> new HashSet<>()).add(ring.laps()),
                        "member " + m + " visited twice in lap " + ring.laps());
                assertTrue(present.contains(m), "member " + m + " visited after it left");
                if (random.nextInt(20) == 0) {
                    present.remove(m);
                    ring.remove(m);
                    removedInLap.put(m, ring.laps());
                }
            });
            assertEquals(present.size(), ring.size());
        }
        long laps = ring.laps();
        assertTrue(laps > 100, "enough laps to mean something: " + laps);
        int checked = 0;
        for (int m = 0; m < next; m++) {
            long from = addedInLap.get(m) + 1;
            long to = removedInLap.getOrDefault(m, laps) - 1;
            for (long lap = from; lap <= to; lap++) {
                assertTrue(lapsVisited.getOrDefault(m, Set.of()).contains(lap), "member " + m + " skipped in lap " + lap);
                checked++;
            }
        }
        assertTrue(checked > 1_000, "whole laps checked: " + checked);
    }

    @Test
    void removingWhatIsNotThereAndAddingTwiceChangeNothing() {
        KeepAliveRing<String> ring = new KeepAliveRing<>(1);
        ring.add("a");
        ring.add("a");
        ring.remove("b");
        List<String> seen = new ArrayList<>();
        ring.tick(seen::add);
        assertEquals(List.of("a"), seen);
        ring.remove("a");
        ring.tick(seen::add);
        assertEquals(0, ring.size());
        assertEquals(List.of("a"), seen);
    }
}
