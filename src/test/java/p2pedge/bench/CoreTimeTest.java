package p2pedge.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CoreTimeTest {

    @Test
    void readsTasksetListsOfCoresAndRanges() {
        assertEquals(new TreeSet<>(List.of(0)), CoreTime.parse("0"));
        assertEquals(new TreeSet<>(List.of(0, 2, 3, 4)), CoreTime.parse("0, 2-4"));
    }

    @Test
    void summarisesTheCoresItWasGiven() throws Exception {
        CoreTime window = CoreTime.start("0");
        Thread.sleep(200); // core 0's clock ticks (100 a second) move on, busy or idle
        String summary = window.summary();
        assertTrue(summary.matches("core 0: busy [0-9.]+% \\(user .*\\), idle [0-9.]+%"), summary);
    }
}
