package dev.junction.connectors.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PartitionProgressTest {

    @Test
    void theCommitFollowsTheLongestRunOfHeldRecordsFromTheStart() {
        PartitionProgress p = new PartitionProgress();
        var r10 = p.handedOver(10);
        var r11 = p.handedOver(11);
        var r12 = p.handedOver(12);
        assertEquals(OptionalLong.empty(), p.toCommit(), "nothing is held yet");
        p.held(r12);
        p.held(r10);
        assertEquals(OptionalLong.of(11), p.toCommit(), "11 is not held: the commit stops before it");
        p.committed(11);
        assertEquals(OptionalLong.empty(), p.toCommit());
        p.held(r11);
        assertEquals(OptionalLong.of(13), p.toCommit());
        assertEquals(0, p.inFlight());
    }

    @Test
    void aRefusalDropsTheRecordAndEverythingAfterItAndReadsThemAgainAfterTheWait() {
        PartitionProgress p = new PartitionProgress();
        var r0 = p.handedOver(0);
        var r1 = p.handedOver(1);
        var r2 = p.handedOver(2);
        p.held(r0);
        p.refused(r1, 1_000, 500);
        p.held(r2); // answered after the refusal: it is read again anyway
        assertEquals(OptionalLong.of(1), p.toCommit(), "never past the refused record");
        assertTrue(p.ignores(2) && p.ignores(1) && !p.ignores(0));
        assertEquals(OptionalLong.empty(), p.retryDue(1_499), "not before the wait is over");
        assertEquals(OptionalLong.of(1), p.retryDue(1_500));
        assertFalse(p.isWaiting());
        var again1 = p.handedOver(1);
        var again2 = p.handedOver(2);
        p.held(again2);
        p.held(again1);
        assertEquals(OptionalLong.of(3), p.toCommit());
    }

    @Test
    void twoRefusalsReadAgainFromTheEarlierRecord() {
        PartitionProgress p = new PartitionProgress();
        var r0 = p.handedOver(0);
        var r1 = p.handedOver(1);
        p.refused(r1, 0, 100);
        p.refused(r0, 0, 200);
        assertEquals(OptionalLong.empty(), p.retryDue(150), "the later refusal's wait counts");
        assertEquals(OptionalLong.of(0), p.retryDue(200));
    }

    @Test
    void aDroppedPartitionIgnoresLateAnswers() {
        PartitionProgress p = new PartitionProgress();
        var r5 = p.handedOver(5);
        p.drop();
        p.held(r5);
        assertEquals(OptionalLong.empty(), p.toCommit(), "the late answer does not move the commit");
        assertEquals(0, p.inFlight());
    }
}
