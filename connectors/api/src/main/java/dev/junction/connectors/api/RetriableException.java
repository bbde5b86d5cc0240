package dev.junction.connectors.api;

import java.time.Duration;
import java.util.Optional;

/**
 * A transient failure: a 5xx, a timeout, a refused connection. Tried again with back-off, after {@link #retryAfter()} if given;
 * a {@code retryAfter} also pauses every call to the system, on every node, until it has passed. Counts against the system's
 * circuit breaker unless {@link #isThrottled() throttled}.
 */
public final class RetriableException extends ConnectorException {
    private final String errorClass;
    private final Duration retryAfter;
    private final boolean throttled;

    private RetriableException(String errorClass, String message, Throwable cause, Duration retryAfter, boolean throttled) {
        super(message, cause);
        this.errorClass = errorClass;
        this.retryAfter = retryAfter;
        this.throttled = throttled;
    }

    public RetriableException(String errorClass, String message, Throwable cause, Duration retryAfter) {
        this(errorClass, message, cause, retryAfter, false);
    }

    /**
     * The system is up but refuses to go faster (HTTP 429): the attempt is retried, every call to the system pauses for
     * {@code retryAfter} if given, and the system's circuit breaker does not count it as a failure.
     */
    public static RetriableException throttled(String errorClass, String message, Duration retryAfter) {
        return new RetriableException(errorClass, message, null, retryAfter, true);
    }

    public RetriableException(String errorClass, String message, Throwable cause) {
        this(errorClass, message, cause, null);
    }

    @Override
    public String errorClass() {
        return errorClass;
    }

    /** True for a rate-limit answer ({@link #throttled}), which says nothing about the system's health. */
    public boolean isThrottled() {
        return throttled;
    }

    /** The target's own hint (an HTTP {@code Retry-After}) of when to try again. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
