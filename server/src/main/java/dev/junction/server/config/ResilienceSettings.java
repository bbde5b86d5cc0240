package dev.junction.server.config;

import java.time.Duration;

/**
 * How deliveries to one system are retried and bounded: {@code junction.systems.<name>.resilience}.
 *
 * @param maxAttempts  attempts per target before the envelope is dead-lettered
 * @param minBackoff   the delay before the first retry
 * @param maxBackoff   the longest delay between attempts
 * @param randomFactor jitter: each delay is stretched by up to this fraction, so retries of many messages spread out
 * @param maxInFlight  concurrent attempts to this system from one inbox partition
 */
public record ResilienceSettings(int maxAttempts, Duration minBackoff, Duration maxBackoff, double randomFactor, int maxInFlight) {}
