package dev.junction.server.api;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.parameterMap;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEndOrSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.server.inbox.DeadLetterService;
import dev.junction.server.inbox.DeadLetters;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/v1/dead-letters}: list with a filter, inspect one, replay one or in bulk, discard with a reason, and the record of
 * what operators did. A replay delivers the dead-lettered targets again with the same idempotency key.
 */
final class DeadLetterRoutes {
    private final DeadLetterService deadLetters;

    DeadLetterRoutes(DeadLetterService deadLetters) {
        this.deadLetters = deadLetters;
    }

    Route route() {
        return pathPrefix("dead-letters", () -> concat(
                pathEndOrSingleSlash(() -> get(() -> parameterMap(this::list))),
                path("audit", () -> get(() -> parameterMap(params -> {
                    Optional<String> integration = integration(DeadLetterFilter.checkKeys(params, List.of("integration")).get("integration"));
                    return onSuccess(deadLetters.audit(integration), ops ->
                            complete(AdminApi.json(200, Map.of("items", ops.stream().map(DeadLetterJson::operation).toList()))));
                }))),
                path("replay", () -> post(() -> AdminApi.jsonBody(json -> bulk("replayed", json)))),
                path("discard", () -> post(() -> AdminApi.jsonBody(json -> bulk("discarded", json)))),
                pathPrefix(segment(), id -> concat(
                        pathEndOrSingleSlash(() -> get(() -> onSuccess(deadLetters.get(id), found -> complete(AdminApi.json(200,
                                DeadLetterJson.view(found.orElseThrow(() -> ApiProblem.notFound("no dead letter " + id)))))))),
                        path("replay", () -> post(() -> AdminApi.jsonBody(json -> one("replayed", id, json)))),
                        path("discard", () -> post(() -> AdminApi.jsonBody(json -> one("discarded", id, json))))))));
    }

    private Route list(Map<String, String> params) {
        DeadLetterFilter filter = DeadLetterFilter.fromParams(params, 100, 1000);
        return onSuccess(deadLetters.list(integration(filter.integration()), filter.query()),
                page -> complete(AdminApi.json(200, DeadLetterJson.listing(page))));
    }

    /** A bulk replay or discard: the body is the same filter a listing takes, plus {@code reason}, {@code by} and {@code mappings}. */
    private Route bulk(String action, JsonNode body) {
        DeadLetterFilter filter = DeadLetterFilter.fromJson(body, 1000, 100_000);
        return apply(action, integration(filter.integration()), filter.query(), filter);
    }

    private Route one(String action, String messageId, JsonNode body) {
        DeadLetterFilter filter = DeadLetterFilter.forOne(messageId, body);
        return onSuccess(deadLetters.get(messageId), found -> {
            DeadLetterService.Located located = found.orElseThrow(() -> ApiProblem.notFound("no dead letter " + messageId));
            return apply(action, Optional.of(located.integration()), filter.query(), filter);
        });
    }

    private Route apply(String action, Optional<String> integration, DeadLetters.Query query, DeadLetterFilter filter) {
        if (action.equals("discarded") && filter.reason() == null) {
            throw ApiProblem.badRequest("a discard needs a reason: {\"reason\": \"...\"}");
        }
        var done = action.equals("replayed")
                ? deadLetters.replay(integration, query, filter.by(), filter.reason(), filter.mappings())
                : deadLetters.discard(integration, query, filter.by(), filter.reason());
        return onSuccess(done, selected -> complete(AdminApi.json(200, new DeadLetterJson.Applied(action, selected.size(), selected))));
    }

    private Optional<String> integration(String name) {
        if (name != null && !deadLetters.integrations().contains(name)) {
            throw ApiProblem.notFound("no integration " + name + " (known: " + String.join(", ", deadLetters.integrations()) + ")");
        }
        return Optional.ofNullable(name);
    }
}
