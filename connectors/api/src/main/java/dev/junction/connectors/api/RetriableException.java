package dev.junction.connectors.api;

import java.time.Duration;
import java.util.Optional;

/** A transient failure: a 5xx, a timeout, a refused connection. Tried again with back-off, after {@link #retryAfter()} if given. */
public final class RetriableException extends ConnectorException {
    private final String errorClass;
    private final Duration retryAfter;

    public RetriableException(String errorClass, String message, Throwable cause, Duration retryAfter) {
        super(message, cause);
        this.errorClass = errorClass;
        this.retryAfter = retryAfter;
    }

    public RetriableException(String errorClass, String message, Throwable cause) {
        this(errorClass, message, cause, null);
    }

    @Override
    public String errorClass() {
        return errorClass;
    }

    /** The target's own hint (an HTTP {@code Retry-After}) of when to try again. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
