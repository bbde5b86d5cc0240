package dev.junction.server.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private static final long MS = 1_000_000;

    @Test
    void aFullBucketAllowsABurstThenRefillsEvenly() {
        TokenBucket bucket = new TokenBucket(10, Duration.ofSeconds(1), 0);
        for (int i = 0; i < 10; i++) {
            assertEquals(0, bucket.tryTake(0), "burst " + i);
        }
        long wait = bucket.tryTake(0);
        assertEquals(100 * MS, wait, "one token every 100 ms");
        assertTrue(bucket.tryTake(50 * MS) > 0);
        assertEquals(0, bucket.tryTake(100 * MS));
        assertTrue(bucket.tryTake(100 * MS) > 0, "the token was taken");
    }

    @Test
    void anIdleBucketHoldsNoMoreThanItsCapacity() {
        TokenBucket bucket = new TokenBucket(5, Duration.ofSeconds(1), 0);
        int taken = 0;
        while (bucket.tryTake(60_000 * MS) == 0) {
            taken++;
        }
        assertEquals(5, taken);
    }
}
