package dev.junction.server;

import java.net.BindException;

/** Turns the start failures an operator can fix into one sentence that says how, instead of a stack trace. */
final class StartFailures {
    private StartFailures() {}

    /** The sentence for a known failure, or null when the failure is not one of them. */
    static String explain(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (t instanceof BindException || message.contains("Address already in use")) {
                String what = String.valueOf(failure.getMessage()).startsWith("management port")
                        ? "the Pekko Management port (set JUNCTION_MGMT_PORT, or 0 for any free port)"
                        : message.contains("17355") || message.contains("Failed to bind TCP")
                        || failure.getClass().getName().contains("RemoteTransport")
                        ? "the cluster remoting port (set JUNCTION_NODE_PORT, or 0 for any free port)"
                        : "the HTTP port (set JUNCTION_HTTP_PORT)";
                Throwable root = t;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                return "cannot start: an address is already in use: " + what + ": " + root.getMessage();
            }
        }
        return null;
    }
}
