package dev.junction.connectors.api;

/** A failure that another attempt cannot fix: the target rejected the data (a 4xx), or the record is malformed. Dead-lettered. */
public final class PermanentException extends ConnectorException {
    private final String errorClass;

    public PermanentException(String errorClass, String message, Throwable cause) {
        super(message, cause);
        this.errorClass = errorClass;
    }

    public PermanentException(String errorClass, String message) {
        this(errorClass, message, null);
    }

    @Override
    public String errorClass() {
        return errorClass;
    }
}
