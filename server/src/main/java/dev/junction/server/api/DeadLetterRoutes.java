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
import dev.junction.server.inbox.BulkOperations;
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
    /** A bulk action on more dead letters than this runs as an operation (202) instead of answering when done (200). */
    static final int SYNCHRONOUS_MAX = 1000;
    private final DeadLetterService deadLetters;
    private final BulkOperations operations;

    private final Masks masks;

    DeadLetterRoutes(DeadLetterService deadLetters, BulkOperations operations, Masks masks) {
        this.deadLetters = deadLetters;
        this.operations = operations;
        this.masks = masks;
    }

    Route route() {
        return concat(pathPrefix("operations", () -> path(segment(), id -> get(() -> complete(AdminApi.json(200, operation(id)))))),
                deadLetterRoutes());
    }

    private BulkOperations.Progress operation(String id) {
        return operations.get(id).orElseThrow(() -> ApiProblem.notFound("no operation " + id
                + " on this node (an operation is kept by the node that runs it, the last 100)"));
    }

    private Route deadLetterRoutes() {
        return pathPrefix("dead-letters", () -> concat(
                pathEndOrSingleSlash(() -> get(() -> parameterMap(this::list))),
                path("audit", () -> get(() -> parameterMap(params -> {
                    Optional<String> integration = integration(DeadLetterFilter.checkKeys(params, List.of("integration")).get("integration"));
                    return onSuccess(deadLetters.audit(integration), ops ->
                            complete(AdminApi.json(200, Map.of("items", ops.stream().map(DeadLetterJson::operation).toList()))));
                }))),
                path("replay", () -> post(() -> AdminApi.caller(by -> AdminApi.jsonBody(json -> bulk("replayed", json, by.name()))))),
                path("discard", () -> post(() -> AdminApi.caller(by -> AdminApi.jsonBody(json -> bulk("discarded", json, by.name()))))),
                pathPrefix(segment(), id -> concat(
                        pathEndOrSingleSlash(() -> get(() -> onSuccess(deadLetters.get(id), found -> {
                            DeadLetterService.Located letter = found.orElseThrow(() -> ApiProblem.notFound("no dead letter " + id));
                            return complete(AdminApi.json(200, DeadLetterJson.view(letter, masks.of(letter.deadLetter().envelope()))));
                        }))),
                        path("replay", () -> post(() -> AdminApi.caller(by -> AdminApi.jsonBody(json -> one("replayed", id, json, by.name()))))),
                        path("discard", () -> post(() -> AdminApi.caller(by -> AdminApi.jsonBody(json -> one("discarded", id, json, by.name())))))))));
    }

    private Route list(Map<String, String> params) {
        DeadLetterFilter filter = DeadLetterFilter.fromParams(params, 100, 1000);
        return onSuccess(deadLetters.list(integration(filter.integration()), filter.query()),
                page -> complete(AdminApi.json(200, DeadLetterJson.listing(page, filter.query().limit()))));
    }

    /**
     * A bulk replay or discard: the body is the same filter a listing takes (its {@code limit} caps how many are taken; without
     * one, every match), plus {@code reason} and {@code mappings} (a {@code by} in the body is ignored: the audit records the caller's token name). Up to {@link #SYNCHRONOUS_MAX} it answers when
     * done; beyond, it starts an operation and answers 202 with its progress, followed at {@code /api/v1/operations/<id>}.
     */
    private Route bulk(String action, JsonNode body, String by) {
        DeadLetterFilter filter = DeadLetterFilter.fromJson(body, Integer.MAX_VALUE, Integer.MAX_VALUE).withBy(by);
        Optional<String> integration = integration(filter.integration());
        if (action.equals("discarded") && (filter.reason() == null || filter.reason().isBlank())) {
            throw ApiProblem.badRequest("a discard needs a reason: {\"reason\": \"...\"}");
        }
        DeadLetters.Query counting = filter.query().withLimit(1);
        return onSuccess(deadLetters.list(integration, counting), page -> {
            int total = Math.min(page.matched(), filter.query().limit());
            if (total <= SYNCHRONOUS_MAX) {
                return apply(action, integration, filter.query().withLimit(Math.max(1, total)), filter);
            }
            BulkOperations.Progress started = operations.start(action.equals("replayed") ? BulkOperations.Action.REPLAY
                    : BulkOperations.Action.DISCARD, integration, filter.query(), total, filter.by(), filter.reason(), filter.mappings());
            return complete(AdminApi.json(202, started).addHeader(
                    org.apache.pekko.http.javadsl.model.headers.Location.create(AdminApi.PREFIX + "operations/" + started.id())));
        });
    }

    private Route one(String action, String messageId, JsonNode body, String by) {
        DeadLetterFilter filter = DeadLetterFilter.forOne(messageId, body).withBy(by);
        return onSuccess(deadLetters.integrationOf(messageId), found -> {
            String integration = found.orElseThrow(() -> ApiProblem.notFound("no dead letter " + messageId));
            return apply(action, Optional.of(integration), filter.query(), filter);
        });
    }

    private Route apply(String action, Optional<String> integration, DeadLetters.Query query, DeadLetterFilter filter) {
        if (action.equals("discarded") && (filter.reason() == null || filter.reason().isBlank())) {
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
