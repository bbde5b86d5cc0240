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
 * {@code /api/v1/systems}: each connected system's breaker, pause, rate limit, in-flight and recent failures, and the state
 * of the sources that read from it (connected, or reconnecting and when), for the whole cluster: every node answers the same
 * ({@link ClusterSystems}).
 */
final class SystemRoutes {
    private final Systems systems;
    private final SourceHealth sources;
    private final ClusterSystems cluster;

    SystemRoutes(org.apache.pekko.actor.typed.ActorSystem<?> system, Systems systems, SourceHealth sources) {
        this.systems = systems;
        this.sources = sources;
        this.cluster = ClusterSystems.start(system, this::local);
    }

    /** This node's own view of its systems. */
    private java.util.concurrent.CompletionStage<List<ObjectNode>> local() {
        List<CompletableFuture<SystemStatus>> all = systems.names().stream()
                .map(n -> systems.status(n).orElseThrow().toCompletableFuture()).toList();
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                .thenApply(x -> all.stream().map(f -> withSources(f.join())).toList());
    }

    Route route() {
        return pathPrefix("systems", () -> concat(
                pathEndOrSingleSlash(() -> get(() -> onSuccess(cluster.all(),
                        all -> complete(AdminApi.json(200, Map.of("items", all)))))),
                path(segment(), name -> get(() -> {
                    if (systems.status(name).isEmpty()) {
                        throw ApiProblem.notFound("no system " + name + " (known: " + String.join(", ", systems.names()) + ")");
                    }
                    return onSuccess(cluster.all(), all -> complete(AdminApi.json(200, all.stream()
                            .filter(s -> s.path("name").asText().equals(name)).findFirst()
                            .orElseThrow(() -> ApiProblem.notFound("no node answered for system " + name)))));
                }))));
    }

    private ObjectNode withSources(SystemStatus status) {
        ObjectNode node = AdminApi.JSON.valueToTree(status);
        node.set("sources", AdminApi.JSON.valueToTree(sources.of(status.name())));
        return node;
    }
}
