package p2pedge.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SpreadTest {

    @Test
    void medianOfOddAndEvenCountsWithTheirRange() {
        assertEquals(new Spread(3, 1, 9), Spread.of(9, 1, 3));
        assertEquals(new Spread(2.5, 1, 9), Spread.of(List.of(9, 1, 2, 3)));
        assertEquals(new Spread(0, 0, 0), Spread.of(List.<Double>of()), "no runs, no figure");
    }
}
