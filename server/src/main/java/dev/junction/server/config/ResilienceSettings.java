package dev.junction.server.config;

import java.time.Duration;
import java.util.Optional;

/**
 * How deliveries to one system are retried, paced and bounded: {@code junction.systems.<name>.resilience}.
 *
 * @param retry       how a failed attempt is retried
 * @param breaker     the system's circuit breaker
 * @param rateLimit   the most attempts per period on this node; empty: no limit
 * @param maxInFlight concurrent attempts to this system from this node (the bulkhead)
 * @param maxQueued   attempts waiting on this node for the breaker, the limit or a free slot; beyond it callers come back later
 */
public record ResilienceSettings(Retry retry, Breaker breaker, Optional<RateLimit> rateLimit, int maxInFlight, int maxQueued) {

    /**
     * @param maxAttempts  attempts per target before the envelope is dead-lettered
     * @param minBackoff   the shortest delay before a retry
     * @param maxBackoff   the longest delay between attempts
     * @param randomFactor the random share of each delay: 1 is full jitter (uniform between min-backoff and the exponential
     *                     delay), 0 none
     * @param maxAge       an envelope still failing this long after it was received is dead-lettered
     */
    public record Retry(int maxAttempts, Duration minBackoff, Duration maxBackoff, double randomFactor, Duration maxAge) {}

    /**
     * @param enabled         off: every attempt goes straight to the system
     * @param maxFailures     consecutive transient failures or timeouts that open it
     * @param callTimeout     an attempt taking longer counts as a failure (the attempt is retried)
     * @param resetTimeout    how long it stays open before one probe may go through
     * @param maxResetTimeout each failed probe doubles the open time up to this
     */
    public record Breaker(boolean enabled, int maxFailures, Duration callTimeout, Duration resetTimeout, Duration maxResetTimeout) {}

    /** At most {@code permits} attempts per {@code per}, as a token bucket holding {@code permits} tokens. */
    public record RateLimit(int permits, Duration per) {}
}
