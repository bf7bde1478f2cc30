package p2pedge.signalling;

import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PairCooldownTest {

    @Test
    void aPairIsNotTriedAgainUntilItsCooldownEnds() {
        AtomicLong now = new AtomicLong(1_000);
        PairCooldown cooldown = new PairCooldown(30_000, now::get);
        cooldown.start(7, 100);
        now.addAndGet(10_000);
        cooldown.start(7, 200);
        assertEquals(Set.of(100L, 200L), cooldown.coolingHosts(7));
        assertEquals(Set.of(), cooldown.coolingHosts(8), "per client");
        now.addAndGet(20_000);
        assertEquals(Set.of(200L), cooldown.coolingHosts(7), "100's cooldown ended at 31 000 ms");
        now.addAndGet(10_000);
        assertEquals(Set.of(), cooldown.coolingHosts(7));
        assertEquals(0, cooldown.clients(), "nothing kept once every cooldown ended");
    }

    @Test
    void aClientThatLeavesIsForgottenAndZeroTurnsItOff() {
        PairCooldown cooldown = new PairCooldown(30_000, () -> 0);
        cooldown.start(7, 100);
        cooldown.forget(7);
        assertEquals(Set.of(), cooldown.coolingHosts(7));
        assertEquals(0, cooldown.clients());
        PairCooldown off = new PairCooldown(0, () -> 0);
        off.start(7, 100);
        assertEquals(Set.of(), off.coolingHosts(7));
    }
}
