package dev.junction.server.chaos;

import dev.junction.server.config.JunctionSettings;
import dev.junction.server.plugins.ConnectorRegistry;
import dev.junction.server.reload.Reloader;
import java.net.InetSocketAddress;

/** A Junction node the command starts on the adjusted settings; {@code Main} starts it, so this package does not import the node. */
public interface Node extends AutoCloseable {
    InetSocketAddress httpAddress();

    /**
     * Starts a node on validated settings (the journal schema exists) and returns once its HTTP port is bound; {@code reload}
     * reads the configuration again with the same adjustments, should the user's file change during the run.
     */
    interface Starter {
        Node start(JunctionSettings settings, ConnectorRegistry connectors, Reloader.Loader reload) throws Exception;
    }
}
