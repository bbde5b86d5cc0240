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

import dev.junction.server.inbox.Messages;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/v1/messages}: a message's lineage, by id ({@code /messages/<id>}) or by integration and idempotency key
 * ({@code /messages?integration=orders-to-erp&key=order-SO-1001}).
 */
final class MessageRoutes {
    private final Messages messages;
    private final Supplier<java.util.Set<String>> integrations;

    MessageRoutes(Messages messages, Supplier<java.util.Set<String>> integrations) {
        this.messages = messages;
        this.integrations = integrations;
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
        if (!integrations.get().contains(integration)) {
            throw ApiProblem.notFound("no integration " + integration + " (known: " + String.join(", ", new java.util.TreeSet<>(integrations.get())) + ")");
        }
        return found(messages.byKey(integration, key), "integration " + integration + " has no message with key " + key);
    }

    private static Route found(CompletionStage<Optional<Messages.Lineage>> lineage, String notFound) {
        return onSuccess(lineage, found -> complete(AdminApi.json(200,
                MessageJson.view(found.orElseThrow(() -> ApiProblem.notFound(notFound))))));
    }
}
