package dev.junction.server.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/connectors.md is what the connectors' specs say, so the reference cannot drift from the code. */
class ConnectorDocsTest {

    @Test
    void theConnectorReferenceIsUpToDate() throws Exception {
        String generated = ConnectorDocs.render(ConnectorRegistry.load(getClass().getClassLoader()));
        Path docs = Path.of("../docs/connectors.md");

        assertEquals(generated, Files.readString(docs), "docs/connectors.md is stale; regenerate it with: "
                + "java -cp server/target/junction-server.jar dev.junction.server.plugins.ConnectorDocs docs/connectors.md");
    }
}
