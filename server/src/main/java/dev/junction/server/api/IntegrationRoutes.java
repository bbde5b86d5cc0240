package dev.junction.server.api;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.entity;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEndOrSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.Directives.put;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.connectors.api.http.HttpReply;
import dev.junction.connectors.api.http.Problems;
import dev.junction.server.config.IntegrationSettings;
import dev.junction.server.config.StepSettings;
import dev.junction.server.config.TargetSettings;
import dev.junction.server.delivery.Catalog;
import dev.junction.server.inbox.MessageIds;
import dev.junction.server.inbox.Messages;
import dev.junction.server.reload.Reloader;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * {@code /api/v1/integrations}: each integration's current revision and the revisions still loaded ({@code GET}), a reload of
 * the configuration ({@code POST /integrations/reload}) and reprocessing of stored originals through the current revision
 * ({@code POST /integrations/<name>/reprocess}); and the configuration file itself ({@code GET}/{@code PUT /configuration}).
 */
final class IntegrationRoutes {
    private final Catalog catalog;
    private final Reloader reloader;
    private final dev.junction.server.reload.ClusterReload cluster;
    private final Messages messages;

    IntegrationRoutes(Catalog catalog, Reloader reloader, dev.junction.server.reload.ClusterReload cluster, Messages messages) {
        this.cluster = cluster;
        this.catalog = catalog;
        this.reloader = reloader;
        this.messages = messages;
    }

    /**
     * {@code lookups}: the version of each lookup table its steps name; {@code mask}: the pointers its views mask;
     * {@code ordering}: none or per-key; {@code partitionKey}: its rule, or null (none, or the source's own key).
     */
    record Integration(String name, String revision, List<String> loadedRevisions, String source, List<String> steps,
                       List<String> mappingVersions, List<String> targets, List<String> lookups, List<String> mask,
                       String ordering, String partitionKey) {}

    record Reloaded(boolean applied, List<String> changes) {}

    record Reprocessing(String operationId, String integration, String target, String revision, String from, String to,
                        int originals, List<String> copies) {}

    Route route() {
        return concat(configuration(), integrations());
    }

    /**
     * {@code GET /api/v1/configuration}: the configuration file as text, secrets' values redacted ({@code ${?ENV}} kept);
     * {@code PUT} replaces it with the body (HOCON) and
     * applies it, or refuses it whole (422, every problem) and leaves the file as it was.
     */
    private Route configuration() {
        return path("configuration", () -> concat(
                get(() -> onSuccess(reloader.textAsync().exceptionally(e -> {
                    throw new ApiProblem(503, "unavailable", "Service unavailable", "the configuration file cannot be read: "
                            + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
                }), text -> complete(org.apache.pekko.http.javadsl.model.HttpResponse.create().withEntity(
                        org.apache.pekko.http.javadsl.model.ContentTypes.TEXT_PLAIN_UTF8,
                        dev.junction.server.security.ConfigText.redact(text))))),
                put(() -> entity(Unmarshaller.entityToString(), text -> onSuccess(cluster.replace(text), IntegrationRoutes::reloaded)))));
    }

    private Route integrations() {
        return pathPrefix("integrations", () -> concat(
                pathEndOrSingleSlash(() -> get(() -> onSuccess(cluster.revisions(), revisions -> {
                    Map<String, Object> body = new java.util.LinkedHashMap<>();
                    body.put("items", catalog.current().values().stream().sorted(java.util.Comparator.comparing(IntegrationSettings::name))
                            .map(this::integration).toList());
                    body.put("nodes", nodes(revisions.byNode()));
                    body.put("lastChange", revisions.last());
                    return complete(AdminApi.json(200, body));
                }))),
                path("reload", () -> post(this::reload)),
                pathPrefix(segment(), name -> concat(
                        pathEndOrSingleSlash(() -> get(() -> complete(AdminApi.json(200, integration(known(name)))))),
                        path("reprocess", () -> post(() -> AdminApi.caller(by -> AdminApi.jsonBody(body -> reprocess(known(name), body, by.name())))))))));
    }

    /** The revisions each node runs, and whether it differs from this node's (lags, or is ahead). */
    private List<Map<String, Object>> nodes(Map<String, Map<String, String>> byNode) {
        Map<String, String> mine = byNode.get(cluster.self());
        List<Map<String, Object>> nodes = new java.util.ArrayList<>();
        byNode.forEach((node, revisions) -> {
            Map<String, Object> entry = new java.util.LinkedHashMap<>();
            entry.put("node", node);
            entry.put("answered", revisions != null);
            entry.put("revisions", revisions == null ? Map.of() : revisions);
            entry.put("differs", revisions == null || !revisions.equals(mine));
            nodes.add(entry);
        });
        return nodes;
    }

    private Integration integration(IntegrationSettings s) {
        return new Integration(s.name(), s.revision(), new TreeSet<>(catalog.revisions(s.name()).loaded()).stream().toList(),
                s.channel() != null ? "channel " + s.channel().channel() : s.source() == null ? "junction's alerts" : s.source().kind() + " of " + s.source().system().name(),
                s.steps().stream().map(StepSettings::label).toList(),
                s.steps().stream().filter(StepSettings.Map.class::isInstance).map(StepSettings.Map.class::cast)
                        .flatMap(m -> m.versions().keySet().stream().map(m::tag)).toList(),
                s.targets().stream().map(TargetSettings::name).toList(), s.lookups(), s.mask().pointers(),
                s.ordering().perKey() ? "per-key" : "none",
                s.ordering().partitionKey() == null ? null : s.ordering().partitionKey().spec());
    }

    private IntegrationSettings known(String name) {
        IntegrationSettings settings = catalog.current().get(name);
        if (settings == null) {
            throw ApiProblem.notFound("no integration " + name + " (known: " + String.join(", ", new TreeSet<>(catalog.current().keySet())) + ")");
        }
        return settings;
    }

    private Route reload() {
        return onSuccess(cluster.reload(), IntegrationRoutes::reloaded);
    }

    static Route reloaded(Reloader.Outcome outcome) {
        if (outcome.applied()) {
            return complete(AdminApi.json(200, new Reloaded(true, outcome.changes())));
        }
        try {
            ObjectNode problem = (ObjectNode) AdminApi.JSON.readTree(Problems.json(422, "invalid-config", "The configuration was not applied",
                    "the change was refused whole; the running configuration stays. " + outcome.problems().size() + " problem(s)"));
            problem.set("problems", AdminApi.JSON.valueToTree(outcome.problems()));
            return complete(ProblemResponses.toResponse(new HttpReply(422, HttpReply.PROBLEM_JSON, Map.of(), AdminApi.JSON.writeValueAsBytes(problem))));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Body: {@code {"from": "<instant>", "to": "<instant>", "target": "<name>", "by": "...", "reason": "..."}}; reason required. */
    private Route reprocess(IntegrationSettings integration, JsonNode body, String by) {
        List<String> known = List.of("from", "to", "target", "by", "reason");
        body.fieldNames().forEachRemaining(f -> {
            if (!known.contains(f)) {
                throw ApiProblem.badRequest("unknown field '" + f + "' (known: " + String.join(", ", known) + ")");
            }
        });
        long from = instant(body, "from");
        long to = instant(body, "to");
        if (from >= to) {
            throw ApiProblem.badRequest("'from' must be before 'to'");
        }
        List<String> targets = integration.targets().stream().map(TargetSettings::name).toList();
        String target = text(body, "target");
        if (target == null || !targets.contains(target)) {
            throw ApiProblem.badRequest("'target' must name one target of " + integration.name() + " (" + String.join(", ", targets) + ")");
        }
        String reason = text(body, "reason");
        if (reason == null || reason.isBlank()) {
            throw ApiProblem.badRequest("a reprocessing needs a reason: {\"reason\": \"...\"}");
        }
        String operationId = MessageIds.next();
        String revision = integration.revision();
        return onSuccess(messages.reprocess(integration.name(), operationId, from, to, target, revision, by, reason),
                done -> complete(AdminApi.json(200, new Reprocessing(operationId, integration.name(), target, revision,
                        Instant.ofEpochMilli(from).toString(), Instant.ofEpochMilli(to).toString(), done.originals(), done.copies()))));
    }

    private static String text(JsonNode body, String field) {
        return body.hasNonNull(field) ? body.get(field).asText() : null;
    }

    private static long instant(JsonNode body, String field) {
        String value = text(body, field);
        if (value == null) {
            throw ApiProblem.badRequest("'" + field + "' is required: an ISO-8601 instant such as 2026-11-22T10:00:00Z");
        }
        try {
            return Instant.parse(value).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw ApiProblem.badRequest("'" + field + "' must be an ISO-8601 instant such as 2026-11-22T10:00:00Z, not '" + value + "'");
        }
    }
}
