package dev.junction.server.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.server.config.ResilienceSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private static ResilienceSettings.Retry retry(double randomFactor) {
        return new ResilienceSettings.Retry(8, Duration.ofMillis(100), Duration.ofSeconds(2), randomFactor, Duration.ofDays(1));
    }

    @Test
    void withoutJitterTheDelayDoublesUpToTheCap() {
        assertEquals(100, Backoff.after(1, retry(0)).toMillis());
        assertEquals(200, Backoff.after(2, retry(0)).toMillis());
        assertEquals(800, Backoff.after(4, retry(0)).toMillis());
        assertEquals(2000, Backoff.after(6, retry(0)).toMillis());
        assertEquals(2000, Backoff.after(60, retry(0)).toMillis());
    }

    @Test
    void fullJitterSpreadsDelaysBetweenMinBackoffAndTheCeiling() {
        long shortest = Long.MAX_VALUE;
        long longest = 0;
        for (int i = 0; i < 2000; i++) {
            long d = Backoff.after(5, retry(1)).toMillis(); // ceiling 1600 ms
            shortest = Math.min(shortest, d);
            longest = Math.max(longest, d);
        }
        assertTrue(shortest >= 100 && shortest < 300, "shortest " + shortest);
        assertTrue(longest <= 1600 && longest > 1400, "longest " + longest);
    }
}
