package dev.junction.server.chaos;

/** Starts the chaos run's node in the test's JVM, as {@code Main} does in the server's. */
final class InProcessNode {
    private InProcessNode() {}

    static final Node.Starter STARTER = dev.junction.server.Main::chaosNode;
}
