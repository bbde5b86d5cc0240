package dev.junction.server.chaos;

import dev.junction.server.Junction;

/** Starts the chaos run's node in the test's JVM, as {@code Main} does in the server's. */
final class InProcessNode {
    private InProcessNode() {}

    static final Node.Starter STARTER = (settings, connectors, reload) -> {
        Junction junction = Junction.start(settings, connectors, reload);
        return new Node() {
            @Override
            public java.net.InetSocketAddress httpAddress() {
                return junction.httpAddress();
            }

            @Override
            public void close() throws Exception {
                junction.close();
            }
        };
    };
}
