package dev.junction.server.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import dev.junction.connectors.api.KeyRule;
import java.util.List;
import java.util.Map;

/**
 * One integration the command drives: its source kind ({@code webhook}, {@code directory}, {@code poll}, {@code amqp},
 * {@code outbox}), its webhook path (null for another kind), the folder its directory source reads (null for another kind),
 * where its key goes, the valid messages it sends (cycled), the schema they were checked against (null without a validate
 * step), its targets by name with the system each names, and its source's settings and its source system's (defaults applied)
 * for the {@link Feed}.
 */
record Driven(String integration, String kind, String webhookPath, java.nio.file.Path dropFolder, KeyRule key, List<JsonNode> samples,
              JsonNode schema, Map<String, String> targetSystems, Config source, Config system) {

    boolean byFile() {
        return dropFolder != null;
    }

    boolean byWebhook() {
        return kind.equals("webhook");
    }
}
