package dev.junction.server.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The dedup window is measured on the partition's clock alone: a message that came in through a node whose clock is behind
 * is stamped with the partition's time when it is accepted, so the same key sent again a moment later through any node is
 * a duplicate however far the ingress node's clock was off.
 */
class DedupClockTest {
    private static final long WINDOW = Duration.ofMinutes(3).toMillis();
    private static final long NOW = 1_700_000_000_000L;

    @Test
    void anAcceptedEnvelopeCarriesThePartitionsClockNotTheIngressNodes() {
        Envelope fromSlowNode = envelope("order-1", NOW - 240_000); // stamped by a node whose clock is 4 minutes behind
        Dedup.Decided first = Dedup.decide(List.of(fromSlowNode), new KeyIndex(Duration.ofMillis(WINDOW), 100, 1_000), Map.of(), NOW, WINDOW);
        assertEquals(NOW, first.accepted().get(0).receivedAt(), "stamped with the partition's time at acceptance");
    }

    @Test
    void aKeySentAgainAMomentLaterIsADuplicateWhateverTheIngressNodesClockSaid() {
        KeyIndex memory = new KeyIndex(Duration.ofMillis(WINDOW), 100, 1_000);
        Dedup.Decided first = Dedup.decide(List.of(envelope("order-1", NOW - 240_000)), memory, Map.of(), NOW, WINDOW);
        Envelope accepted = first.accepted().get(0);
        memory.put(new KeyIndex.Entry(accepted.idempotencyKey(), accepted.messageId(), accepted.bodyHash(), accepted.receivedAt(), 1));

        Dedup.Decided again = Dedup.decide(List.of(envelope("order-1", NOW + 1_000)), memory, Map.of(), NOW + 1_000, WINDOW);
        assertEquals(List.of(), again.accepted());
        assertEquals(InboxPartition.Admission.DUPLICATE, again.outcomes().get(0).status());
        assertEquals(accepted.messageId(), again.outcomes().get(0).messageId());
    }

    private static Envelope envelope(String key, long receivedAt) {
        return Envelope.builder().messageId("m-" + key + "-" + receivedAt).integration("orders").idempotencyKey(key)
                .receivedAt(receivedAt).raw("{}".getBytes()).headers(Map.of()).build();
    }
}
