package dev.junction.server.delivery;

import dev.junction.server.config.ResilienceSettings;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential back-off with jitter. The ceiling after attempt n is min-backoff × 2^(n-1), capped at max-backoff; the delay is
 * drawn between min-backoff and that ceiling, with random-factor the share drawn at random: 1 is "full jitter" (many messages
 * that failed together spread over the whole interval instead of returning in one herd), 0 always waits the ceiling.
 */
final class Backoff {
    private Backoff() {}

    /** The delay after failed attempt number {@code attempt} (1-based). */
    static Duration after(int attempt, ResilienceSettings.Retry r) {
        double min = r.minBackoff().toMillis();
        double ceiling = Math.min(min * Math.pow(2, Math.min(attempt - 1, 30)), r.maxBackoff().toMillis());
        double random = ThreadLocalRandom.current().nextDouble() * r.randomFactor();
        return Duration.ofMillis((long) (ceiling - random * (ceiling - min)));
    }
}
