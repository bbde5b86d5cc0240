package dev.junction.server.lookup;

/**
 * A {@code lookup(table, key)} found no row, and the step's rule is {@code dead-letter}: the message ends dead-lettered with
 * this message, naming the table and the key. Also thrown for a table name that is not configured.
 */
public final class LookupMiss extends RuntimeException {
    public LookupMiss(String message) {
        super(message, null, false, false);
    }
}
