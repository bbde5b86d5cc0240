package dev.junction.server.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacerTest {
    private static final long MS = 1_000_000;
    private static final Duration SECOND = Duration.ofSeconds(1);

    @Test
    void callsStartEvenlySpacedAndAtOnceAfterAPause() {
        Pacer pacer = new Pacer(new Pacer.Share(10, SECOND));
        assertEquals(0, pacer.tryTake(0));
        assertEquals(100 * MS, pacer.tryTake(0), "one call every 100 ms");
        assertEquals(40 * MS, pacer.tryTake(60 * MS));
        assertEquals(0, pacer.tryTake(100 * MS));
        assertEquals(0, pacer.tryTake(5_000 * MS), "after a pause at once");
        assertTrue(pacer.tryTake(5_000 * MS) > 0, "but no burst after it");
    }

    @Test
    void callsAsFastAsAllowedForAMinuteNeverExceedTheLimitInAnySecond() {
        Pacer pacer = new Pacer(new Pacer.Share(50, SECOND));
        List<Long> starts = new ArrayList<>();
        long now = 0;
        while (now < 60_000 * MS) {
            long wait = pacer.tryTake(now);
            if (wait == 0) {
                starts.add(now);
            } else {
                now += wait;
            }
        }
        assertEquals(50 * 60, starts.size());
        for (int i = 50; i < starts.size(); i++) {
            assertTrue(starts.get(i) - starts.get(i - 50) >= 1000 * MS, "51 calls within a second at call " + i);
        }
    }

    @Test
    void aShareThatShrinksSpacesTheNextCallByTheNewInterval() {
        Pacer pacer = new Pacer(new Pacer.Share(10, SECOND));
        assertEquals(0, pacer.tryTake(0));
        pacer.resize(new Pacer.Share(4, SECOND));
        assertEquals(250 * MS, pacer.tryTake(0));
        pacer.resize(new Pacer.Share(10, SECOND));
        assertEquals(100 * MS, pacer.tryTake(0), "and one that grows by the new one");
    }

    @Test
    void theSharesOfTheNodesAddUpToTheLimit() {
        List<String> members = List.of("pekko://junction@127.0.0.1:1", "pekko://junction@127.0.0.1:2", "pekko://junction@127.0.0.1:3");
        assertEquals(List.of(17, 17, 16), members.stream().map(m -> Pacer.shareOf(50, SECOND, members, m).permits()).toList());
        assertEquals(new Pacer.Share(50, SECOND), Pacer.shareOf(50, SECOND, List.of(members.get(0)), members.get(0)));
        assertEquals(new Pacer.Share(25, SECOND), Pacer.shareOf(50, SECOND, List.of(members.get(0)), members.get(1)),
                "a node that does not see itself yet counts itself");
        assertEquals(new Pacer.Share(1, Duration.ofMillis(1500)), Pacer.shareOf(2, SECOND, members, members.get(2)),
                "fewer permits than nodes: one call per 1.5 s on each of three nodes is 2 a second");
    }
}
