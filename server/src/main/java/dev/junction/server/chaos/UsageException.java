package dev.junction.server.chaos;

/** A mistake in the command line or in what it names (exit code 2): the message is printed as it is, without a stack trace. */
final class UsageException extends Exception {
    UsageException(String message) {
        super(message);
    }
}
