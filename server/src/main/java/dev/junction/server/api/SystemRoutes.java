package dev.junction.server.api;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEndOrSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.server.source.SourceHealth;
import dev.junction.server.system.SystemStatus;
import dev.junction.server.system.Systems;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/v1/systems}: each connected system's breaker, pause, rate limit, in-flight and recent failures on this node, and
 * the state of the sources that read from it here (connected, or reconnecting and when).
 */
final class SystemRoutes {
    private final Systems systems;
    private final SourceHealth sources;

    SystemRoutes(Systems systems, SourceHealth sources) {
        this.systems = systems;
        this.sources = sources;
    }

    Route route() {
        return pathPrefix("systems", () -> concat(
                pathEndOrSingleSlash(() -> get(() -> {
                    List<CompletableFuture<SystemStatus>> all = systems.names().stream()
                            .map(n -> systems.status(n).orElseThrow().toCompletableFuture()).toList();
                    return onSuccess(CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)), x -> complete(AdminApi.json(200,
                            Map.of("items", all.stream().map(f -> withSources(f.join())).toList()))));
                })),
                path(segment(), name -> get(() -> onSuccess(systems.status(name)
                                .orElseThrow(() -> ApiProblem.notFound("no system " + name + " (known: " + String.join(", ", systems.names()) + ")")),
                        status -> complete(AdminApi.json(200, withSources(status))))))));
    }

    private ObjectNode withSources(SystemStatus status) {
        ObjectNode node = AdminApi.JSON.valueToTree(status);
        node.set("sources", AdminApi.JSON.valueToTree(sources.of(status.name())));
        return node;
    }
}
