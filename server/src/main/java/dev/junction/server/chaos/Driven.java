package dev.junction.server.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.connectors.api.KeyRule;
import java.util.List;
import java.util.Map;

/**
 * One integration the command drives: its webhook path (null for a directory source), the folder its directory source reads
 * (null for a webhook), where its key goes, the valid messages it sends (cycled), the schema they were checked against (null
 * without a validate step), and its targets by name with the system each names.
 */
record Driven(String integration, String webhookPath, java.nio.file.Path dropFolder, KeyRule key, List<JsonNode> samples,
              JsonNode schema, Map<String, String> targetSystems) {

    boolean byFile() {
        return dropFolder != null;
    }
}
