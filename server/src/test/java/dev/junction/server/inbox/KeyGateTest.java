package dev.junction.server.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** One message of a partition key at a time; the rest of the key waits in order; other keys pass. */
class KeyGateTest {

    @Test
    void holdsBackOnlyTheKeyInFlightAndHandsOutItsNextInOrder() {
        KeyGate gate = new KeyGate();
        assertTrue(gate.mayGo("a", "a1"));
        gate.started("a", "a1");
        assertFalse(gate.mayGo("a", "a2"), "a2 waits behind a1");
        assertFalse(gate.mayGo("a", "a3"));
        assertTrue(gate.mayGo("b", "b1"), "another key passes");
        gate.started("b", "b1");
        assertEquals(2, gate.waiting());

        assertEquals("a2", gate.settled("a", "a1", false, id -> true), "the next of a, in order");
        assertTrue(gate.mayGo("a", "a2"));
        gate.started("a", "a2");
        assertNull(gate.settled("b", "b1", false, id -> true), "nothing waits behind b");
        assertEquals("a3", gate.settled("a", "a2", false, id -> true));
        assertEquals(0, gate.waiting());
    }

    @Test
    void skipsWhatNoLongerWaitsAndIgnoresASettlementOfAnotherMessage() {
        KeyGate gate = new KeyGate();
        gate.started("a", "a1");
        gate.mayGo("a", "a2");
        gate.mayGo("a", "a2"); // offered twice (it was in the partition's queue twice)
        gate.mayGo("a", "a3");
        assertNull(gate.settled("a", "other", false, id -> true), "not the message in flight: nothing changes");
        assertFalse(gate.mayGo("a", "a4"), "a1 is still in flight");
        Set<String> gone = Set.of("a2");
        assertEquals("a3", gate.settled("a", "a1", false, id -> !gone.contains(id)), "a2 settled meanwhile: a3 is next");
    }

    @Test
    void aParkedKeyKeepsNobodyWaiting() {
        KeyGate gate = new KeyGate();
        gate.started("a", "a1");
        gate.mayGo("a", "a2");
        assertNull(gate.settled("a", "a1", true, id -> true), "a1 dead-lettered: a2 is parked, not dispatched");
        assertEquals(0, gate.waiting());
        assertTrue(gate.mayGo("a", "a1"), "the replayed head goes at once");
    }
}
