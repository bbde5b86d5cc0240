package dev.junction.server.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/connectors.md is what the connectors' specs say, the shipped plugins' included (the reactor builds them before the
 * server), so the reference cannot drift from the code.
 */
class ConnectorDocsTest {

    @Test
    void theConnectorReferenceIsUpToDate() throws Exception {
        ConnectorRegistry registry = ConnectorRegistry.load(getClass().getClassLoader());
        for (String shipped : java.util.List.of("amqp", "mqtt", "nats", "kafka", "jdbc")) {
            Path plugins = Path.of("../connectors/" + shipped + "/target/plugin");
            assertTrue(Files.isDirectory(plugins.resolve(shipped)), "build the " + shipped + " plugin first (the whole build does): " + plugins);
            registry = registry.withPlugins(plugins);
        }
        String generated = ConnectorDocs.render(registry);
        String file = Files.readString(Path.of("../docs/connectors.md"));

        assertEquals(ConnectorDocs.guide(file) + generated, file, "docs/connectors.md is stale; regenerate it with: "
                + "java -cp server/target/junction-server.jar dev.junction.server.plugins.ConnectorDocs docs/connectors.md "
                + "connectors/amqp/target/plugin connectors/mqtt/target/plugin connectors/nats/target/plugin "
                + "connectors/kafka/target/plugin connectors/jdbc/target/plugin");
    }
}
