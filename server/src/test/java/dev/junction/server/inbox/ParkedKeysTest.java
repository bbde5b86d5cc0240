package dev.junction.server.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A dead letter parks the rest of its key, in order; resolving the head releases them in order; a snapshot keeps it all. */
class ParkedKeysTest {

    private static PendingDelivery message(String id, String partitionKey) {
        return PendingDelivery.fresh(Envelope.builder().messageId(id).integration("i").idempotencyKey("k-" + id).raw(new byte[0])
                .partitionKey(partitionKey).build(), 1);
    }

    private static LinkedHashMap<String, PendingDelivery> pending(PendingDelivery... messages) {
        LinkedHashMap<String, PendingDelivery> pending = new LinkedHashMap<>();
        for (PendingDelivery p : messages) {
            pending.put(p.envelope().messageId(), p);
        }
        return pending;
    }

    private static List<String> ids(List<PendingDelivery> messages) {
        return messages.stream().map(p -> p.envelope().messageId()).toList();
    }

    @Test
    void parksTheRestOfTheKeyInOrderAndReleasesItWhenTheHeadIsDelivered() {
        ParkedKeys parked = new ParkedKeys();
        LinkedHashMap<String, PendingDelivery> pending = pending(message("a2", "a"), message("b1", "b"), message("a3", "a"),
                message("x", null));
        parked.park(Map.of("a", "a1"), 100, pending); // a1 was dead-lettered
        assertTrue(parked.isParked("a"));
        assertEquals(List.of("b1", "x"), List.copyOf(pending.keySet()), "other keys and unordered messages stay");
        parked.follow("a", message("a4", "a")); // accepted while parked
        assertEquals(List.of("a2", "a3", "a4"), ids(parked.followers()));

        pending.put("a1", message("a1", "a")); // replayed: delivered again, its followers stay parked
        parked.resolve("a1", true, false, pending);
        assertTrue(parked.isParked("a"));
        pending.remove("a1");
        parked.resolve("a1", false, true, pending); // dead-lettered again (still a dead letter)
        assertTrue(parked.isParked("a"));

        parked.resolve("a1", false, false, pending); // delivered at last
        assertFalse(parked.isParked("a"));
        assertEquals(List.of("b1", "x", "a2", "a3", "a4"), List.copyOf(pending.keySet()));
        assertEquals(List.of("a2", "a3", "a4"), parked.drainReleased(), "handed to the delivery stream in order");
        assertEquals(List.of(), parked.drainReleased());
    }

    @Test
    void aParkedKeyParkedAgainStaysBehindItsHeadAndASnapshotKeepsIt() {
        ParkedKeys parked = new ParkedKeys();
        LinkedHashMap<String, PendingDelivery> pending = pending(message("a2", "a"));
        parked.park(Map.of("a", "a1"), 100, pending);
        pending.put("a1", message("a1", "a"));
        pending.remove("a1");
        parked.park(Map.of("a", "a1"), 200, pending); // the replayed head failed again
        assertEquals("a", parked.keyOfHead("a1"));

        ParkedKeys restored = new ParkedKeys();
        restored.restore(parked.copy());
        assertEquals(parked.copy(), restored.copy());
        assertEquals(100, restored.copy().get(0).parkedAt(), "parked since the first dead letter");
        assertEquals("a", restored.keyOfHead("a1"));
        restored.resolve("a1", false, false, pending); // discarded
        assertEquals(List.of("a2"), List.copyOf(pending.keySet()));
        assertEquals(0, restored.size());
    }
}
