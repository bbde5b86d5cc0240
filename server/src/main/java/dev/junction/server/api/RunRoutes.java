package dev.junction.server.api;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.parameterMap;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEndOrSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.concat;

import dev.junction.server.runs.RunStore;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v1/runs?integration=&status=&limit=} (newest first) and {@code GET /api/v1/runs/<id>}: the runs of polling
 * and batch sources as the cluster recorded them.
 */
final class RunRoutes {
    private static final Set<String> STATUSES = Set.of("running", "succeeded", "failed", "partial");
    private static final int MAX_LIMIT = 1000;

    private final RunStore runs;

    RunRoutes(RunStore runs) {
        this.runs = runs;
    }

    Route route() {
        return pathPrefix("runs", () -> concat(
                pathEndOrSingleSlash(() -> get(() -> parameterMap(params -> {
                    DeadLetterFilter.checkKeys(params, List.of("integration", "status", "limit"));
                    String status = params.get("status");
                    if (status != null && !STATUSES.contains(status)) {
                        throw ApiProblem.badRequest("'status' must be running, succeeded, failed or partial, not '" + status + "'");
                    }
                    int limit = limit(params.getOrDefault("limit", "100"));
                    return onSuccess(runs.list(params.get("integration"), status, limit),
                            found -> complete(AdminApi.json(200, Map.of("items", found))));
                }))),
                path(PathMatchers.segment(), id -> get(() -> onSuccess(runs.get(id), found -> complete(
                        AdminApi.json(200, found.orElseThrow(() -> ApiProblem.notFound("no run " + id)))))))));
    }

    private static int limit(String text) {
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiProblem.badRequest("'limit' must be a whole number from 1 to " + MAX_LIMIT + ", not '" + text + "'");
    }
}
