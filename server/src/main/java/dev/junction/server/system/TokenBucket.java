package dev.junction.server.system;

import java.time.Duration;

/**
 * A token bucket of {@code permits} tokens refilled evenly over {@code per}: bursts up to {@code permits}, on average no more
 * than {@code permits} per {@code per}. Confined to its {@link SystemActor}, so not thread-safe; a dozen lines do not justify a
 * dependency.
 */
final class TokenBucket {
    private final double capacity;
    private final double nanosPerToken;
    private double tokens;
    private long refilledAt;

    TokenBucket(int permits, Duration per, long nowNanos) {
        this.capacity = permits;
        this.nanosPerToken = (double) per.toNanos() / permits;
        this.tokens = permits;
        this.refilledAt = nowNanos;
    }

    /** Takes a token and returns 0, or takes none and returns the nanoseconds until one is there. */
    long tryTake(long nowNanos) {
        tokens = Math.min(capacity, tokens + (nowNanos - refilledAt) / nanosPerToken);
        refilledAt = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - tokens) * nanosPerToken));
    }
}
