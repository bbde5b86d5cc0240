package dev.junction.connectors.api;

/**
 * A classified failure of a connector. The class, not the message, decides what the server does: {@link RetriableException}
 * is tried again with back-off, {@link PermanentException} is dead-lettered at once.
 */
public abstract sealed class ConnectorException extends RuntimeException permits RetriableException, PermanentException {

    protected ConnectorException(String message, Throwable cause) {
        super(message, cause, false, cause != null);
    }

    /** A short, stable name of the failure kind for metrics and dead-letter filters ({@code http-503}, {@code timeout}). */
    public abstract String errorClass();
}
