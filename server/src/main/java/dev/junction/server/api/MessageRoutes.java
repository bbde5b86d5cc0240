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

import dev.junction.server.delivery.Catalog;
import dev.junction.server.delivery.Revisions;
import dev.junction.server.inbox.Envelope;
import dev.junction.server.inbox.Messages;
import dev.junction.server.inbox.Settlement;
import dev.junction.server.masking.Redactor;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/v1/messages}: a message's lineage, by id ({@code /messages/<id>}) or by integration and idempotency key
 * ({@code /messages?integration=orders-to-erp&key=order-SO-1001}), with its integration's {@code mask} applied.
 * {@code POST /messages/<id>/reveal} with a reason shows it unmasked to the admin role, once the message's partition has
 * recorded who and why (listed by {@code GET /dead-letters/audit} and in the message's operations) and the audit log says so.
 */
final class MessageRoutes {
    /** Reveals are written here, one line each: who, which message, why. */
    private static final org.slf4j.Logger audit = org.slf4j.LoggerFactory.getLogger("junction.audit");
    private final Messages messages;
    private final Catalog catalog;
    private final Masks masks;

    MessageRoutes(Messages messages, Catalog catalog) {
        this.messages = messages;
        this.catalog = catalog;
        this.masks = new Masks(catalog);
    }

    Route route() {
        return pathPrefix("messages", () -> concat(
                pathEndOrSingleSlash(() -> get(() -> parameterMap(this::byKey))),
                path(segment(), id -> get(() -> found(messages.byId(id), notFound(id)))),
                path(segment().slash("reveal"), id -> post(() -> AdminApi.caller(by -> AdminApi.jsonBody(json ->
                        reveal(id, by, json)))))));
    }

    private static String notFound(String id) {
        return "no message " + id + " (a message is found while its key is remembered: within the dedup window)";
    }

    /** The unmasked lineage, for the admin role only ({@link AdminAuth}), with a reason the audit log keeps. */
    private Route reveal(String id, AdminAuth.Caller by, com.fasterxml.jackson.databind.JsonNode body) {
        String reason = body.path("reason").asText("").strip();
        if (reason.isEmpty()) {
            throw ApiProblem.badRequest("a reveal needs a reason: {\"reason\": \"why the unmasked message is needed\"}");
        }
        return onSuccess(messages.byId(id), found -> {
            Messages.Lineage lineage = found.orElseThrow(() -> ApiProblem.notFound(notFound(id)));
            // recorded in the journal before anything is shown: no record, no reveal
            return onSuccess(messages.revealed(lineage.envelope(), by.name(), reason), recorded -> {
                audit.info("revealed message {} of {} to {} ({}): {}", id, lineage.envelope().integration(), by.name(),
                        by.role().wire(), reason);
                return complete(AdminApi.json(200, MessageJson.view(lineage, this::recompute, Redactor.NONE)));
            });
        });
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
        return onSuccess(lineage, found -> {
            Messages.Lineage shown = found.orElseThrow(() -> ApiProblem.notFound(notFound));
            return complete(AdminApi.json(200, MessageJson.view(shown, this::recompute, masks.of(shown.envelope()))));
        });
    }

    /** A deterministic mapping's output is not recorded with each message: it is computed again for the lineage. */
    private java.util.Map<Integer, com.fasterxml.jackson.databind.JsonNode> recompute(Envelope envelope, Settlement delivery) {
        Revisions revisions = catalog.revisions(envelope.integration());
        return revisions == null ? java.util.Map.of() : revisions.recompute(envelope, delivery, AdminApi.JSON);
    }
}
