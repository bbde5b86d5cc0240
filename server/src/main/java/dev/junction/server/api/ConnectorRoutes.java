package dev.junction.server.api;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEndOrSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.Connector;
import dev.junction.server.plugins.ConnectorRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/v1/connectors}: every connector this server loaded, with its version, where it came from (built in, or the
 * plugin's jar or folder) and its config specs: the same specs {@code docs/connectors.md} is generated from.
 */
final class ConnectorRoutes {
    private final ConnectorRegistry connectors;

    ConnectorRoutes(ConnectorRegistry connectors) {
        this.connectors = connectors;
    }

    Route route() {
        return pathPrefix("connectors", () -> concat(
                pathEndOrSingleSlash(() -> get(() -> {
                    ArrayNode items = AdminApi.JSON.createArrayNode();
                    connectors.all().forEach(loaded -> items.add(describe(loaded)));
                    return complete(AdminApi.json(200, Map.of("items", items)));
                })),
                path(segment(), name -> get(() -> complete(AdminApi.json(200, connectors.all().stream()
                        .filter(l -> l.connector().name().equals(name)).findFirst().map(ConnectorRoutes::describe)
                        .orElseThrow(() -> ApiProblem.notFound("no connector " + name + " (loaded: "
                                + String.join(", ", connectors.names()) + ")"))))))));
    }

    private static ObjectNode describe(ConnectorRegistry.Loaded loaded) {
        Connector connector = loaded.connector();
        ObjectNode node = AdminApi.JSON.createObjectNode();
        node.put("name", connector.name());
        node.put("version", connector.version());
        node.put("origin", loaded.origin());
        node.set("system", spec(connector.systemSpec()));
        ObjectNode sources = node.putObject("sources");
        new TreeMap<>(connector.sources()).forEach((kind, factory) -> sources.set(kind, spec(factory.spec())));
        connector.sink().ifPresentOrElse(sink -> node.set("target", spec(sink.spec())), () -> node.putNull("target"));
        return node;
    }

    private static ObjectNode spec(ConfigSpec spec) {
        ObjectNode node = AdminApi.JSON.createObjectNode();
        node.put("description", spec.description());
        ArrayNode fields = node.putArray("settings");
        for (ConfigField field : spec.fields()) {
            ObjectNode f = fields.addObject();
            f.put("name", field.name());
            f.put("type", field.type().name().toLowerCase(Locale.ROOT));
            f.put("required", field.isRequired());
            field.defaultValue().ifPresent(v -> f.put("default", String.valueOf(v)));
            f.put("description", field.description());
            if (!field.allowedValues().isEmpty()) {
                field.allowedValues().forEach(f.putArray("allowed")::add);
            }
            if (!field.examples().isEmpty()) {
                field.examples().forEach(f.putArray("examples")::add);
            }
            field.nested().ifPresent(nested -> f.set("settings", spec(nested).get("settings")));
        }
        return node;
    }
}
