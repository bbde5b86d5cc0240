package dev.junction.server.api;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.parameterMap;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEndOrSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.junction.server.delivery.Catalog;
import dev.junction.server.delivery.Revisions;
import dev.junction.server.inbox.Envelope;
import dev.junction.server.inbox.Messages;
import dev.junction.server.inbox.Settlement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/v1/messages}: a message's lineage, by id ({@code /messages/<id>}) or by integration and idempotency key
 * ({@code /messages?integration=orders-to-erp&key=order-SO-1001}).
 */
final class MessageRoutes {
    private final Messages messages;
    private final Catalog catalog;

    MessageRoutes(Messages messages, Catalog catalog) {
        this.messages = messages;
        this.catalog = catalog;
    }

    Route route() {
        return pathPrefix("messages", () -> concat(
                pathEndOrSingleSlash(() -> get(() -> parameterMap(this::byKey))),
                path(segment(), id -> get(() -> found(messages.byId(id), "no message " + id
                        + " (a message is found while its key is remembered: within the dedup window)")))));
    }

    private Route byKey(Map<String, String> params) {
        DeadLetterFilter.checkKeys(params, List.of("integration", "key"));
        String integration = params.get("integration");
        String key = params.get("key");
        if (integration == null || key == null) {
            throw ApiProblem.badRequest("look a message up by id (/api/v1/messages/<id>) or by ?integration=<name>&key=<idempotency key>");
        }
        if (!catalog.names().contains(integration)) {
            throw ApiProblem.notFound("no integration " + integration + " (known: " + String.join(", ", new java.util.TreeSet<>(catalog.names())) + ")");
        }
        return found(messages.byKey(integration, key), "integration " + integration + " has no message with key " + key);
    }

    private Route found(CompletionStage<Optional<Messages.Lineage>> lineage, String notFound) {
        return onSuccess(lineage, found -> complete(AdminApi.json(200,
                MessageJson.view(found.orElseThrow(() -> ApiProblem.notFound(notFound)), this::recompute))));
    }

    /** A deterministic mapping's output is not recorded with each message: it is computed again for the lineage. */
    private java.util.Map<Integer, com.fasterxml.jackson.databind.JsonNode> recompute(Envelope envelope, Settlement delivery) {
        Revisions revisions = catalog.revisions(envelope.integration());
        return revisions == null ? java.util.Map.of() : revisions.recompute(envelope, delivery, AdminApi.JSON);
    }
}
