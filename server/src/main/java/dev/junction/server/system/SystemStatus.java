package dev.junction.server.system;

import java.util.Map;

/**
 * How one system is doing on this node, as the admin API shows it. Times are ISO-8601 instants, null when never.
 *
 * @param name           the system
 * @param connector      its connector
 * @param state          {@code running}, or {@code restarting} while its connector failed to start and waits to be retried
 * @param circuitBreaker the breaker's state
 * @param pausedUntil    until when calls are paused on a {@code Retry-After}, null when not paused
 * @param pauseReason    the answer that asked for the pause
 * @param rateLimit      e.g. {@code 200 per 1s}, the cluster's limit; null when unlimited
 * @param rateShare      this node's part of it, e.g. {@code 67 per 1s} of three nodes; null when unlimited
 * @param inFlight       attempts running now
 * @param maxInFlight    the bulkhead
 * @param queued         attempts waiting for the breaker, the limit or a slot
 * @param attempts       attempts made since start
 * @param delivered      attempts the system confirmed since start
 * @param failed         failed attempts since start
 * @param recentFailures failed attempts in the last five minutes, by error class
 * @param lastSuccess    when the system last confirmed an attempt
 * @param lastFailure    the last failed attempt
 * @param restarts       times its connector was (re)started after a failure
 * @param startFailure   why its connector last failed to start, null if it never did
 */
public record SystemStatus(
        String name,
        String connector,
        String state,
        Breaker circuitBreaker,
        String pausedUntil,
        String pauseReason,
        String rateLimit,
        String rateShare,
        int inFlight,
        int maxInFlight,
        int queued,
        long attempts,
        long delivered,
        long failed,
        Map<String, Long> recentFailures,
        String lastSuccess,
        Failure lastFailure,
        int restarts,
        String startFailure) {

    /** {@code since}: when it entered {@code state}. */
    public record Breaker(BreakerState state, String since, int consecutiveFailures, String lastError) {}

    public record Failure(String at, String errorClass, String detail) {}
}
