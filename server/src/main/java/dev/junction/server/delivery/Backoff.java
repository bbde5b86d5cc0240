package dev.junction.server.delivery;

import dev.junction.server.config.ResilienceSettings;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential back-off with jitter: min × 2^(attempt-1), capped at max, stretched by up to random-factor. */
final class Backoff {
    private Backoff() {}

    /** The delay after failed attempt number {@code attempt} (1-based). */
    static Duration after(int attempt, ResilienceSettings r) {
        double base = r.minBackoff().toMillis() * Math.pow(2, Math.min(attempt - 1, 30));
        double capped = Math.min(base, r.maxBackoff().toMillis());
        double jittered = capped * (1 + ThreadLocalRandom.current().nextDouble() * r.randomFactor());
        return Duration.ofMillis((long) jittered);
    }
}
