package dev.junction.server.api;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.entity;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEndOrSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.put;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.server.lookup.LookupTable;
import dev.junction.server.reload.Reloader;
import java.util.List;
import java.util.Map;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * {@code /api/v1/lookups}: the lookup tables this node runs, and {@code PUT /lookups/<name>} to replace one. The body is the
 * table's new file (CSV or JSON, as its file is); it is checked first, and a bad table is refused (422, every problem) with
 * nothing changed. A good one is written over the file and the configuration reloaded, which refuses or applies it whole.
 */
final class LookupRoutes {
    private final Reloader reloader;

    LookupRoutes(Reloader reloader) {
        this.reloader = reloader;
    }

    /** One table: its version is what a message's lineage records. */
    record Summary(String name, String file, String version, int keys) {}

    record Table(String name, String file, String version, Map<String, JsonNode> rows) {}

    Route route() {
        return pathPrefix("lookups", () -> concat(
                pathEndOrSingleSlash(() -> get(() -> complete(AdminApi.json(200, Map.of("items", reloader.lookups().values().stream()
                        .map(t -> new Summary(t.name(), t.file().toString(), t.version(), t.rows().size())).toList()))))),
                path(segment(), name -> concat(
                        get(() -> {
                            LookupTable t = table(name);
                            return complete(AdminApi.json(200, new Table(t.name(), t.file().toString(), t.version(),
                                    new java.util.TreeMap<>(t.rows()))));
                        }),
                        put(() -> entity(Unmarshaller.entityToByteString(), body -> {
                            table(name);
                            return onSuccess(reloader.replaceLookupAsync(name, body.toArray()), IntegrationRoutes::reloaded);
                        }))))));
    }

    private LookupTable table(String name) {
        LookupTable table = reloader.lookups().get(name);
        if (table == null) {
            throw ApiProblem.notFound("no lookup table " + name + " (configured: "
                    + String.join(", ", List.copyOf(reloader.lookups().keySet())) + "; declare it under junction.lookups)");
        }
        return table;
    }
}
