package dev.junction.server.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.connectors.api.LookupReader;
import dev.junction.connectors.api.PermanentException;
import dev.junction.connectors.api.RetriableException;
import dev.junction.server.config.ResilienceSettings;
import dev.junction.server.config.StepSettings;
import dev.junction.server.system.SystemActor;
import dev.junction.server.system.Systems;
import dev.junction.server.transform.Pipeline;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Runs one enrich step for one revision of an integration on this node: expands the path from the message, reads the answer
 * through the system's gates (or takes it from the {@link EnrichCache}), and puts it into the message. A read that fails
 * retriably is tried again with the system's back-off, like a delivery attempt, until the system's retry budget or max-age
 * is spent; a read the gates held back is not counted. Only then, or on a permanent failure, does the message end as a
 * dead letter ({@code enrich-<error class>}); until then it waits, pending, so it is never lost. Thread-safe.
 */
final class Enricher {
    /** How soon a read the system's gates held back is asked for again (not an attempt). */
    private static final Duration COME_BACK = Duration.ofMillis(200);
    private static final ResilienceSettings.Retry FALLBACK = new ResilienceSettings.Retry(10, Duration.ofSeconds(1),
            Duration.ofMinutes(1), 0.2, Duration.ofDays(1));

    /** What the step did: the enriched message and its trace, or why the message must be dead-lettered. */
    sealed interface Outcome {}

    record Enriched(JsonNode message, Pipeline.Trace trace) implements Outcome {}

    record Refused(String errorClass, String detail) implements Outcome {}

    private final int index;
    private final StepSettings.Enrich step;
    private final Systems systems;
    private final Optional<LookupReader> reader;
    private final ResilienceSettings.Retry retry;
    private final EnrichCache cache;
    private final Executor executor;

    Enricher(String integration, int index, StepSettings.Enrich step, Systems systems, Executor executor) {
        this.index = index;
        this.step = step;
        this.systems = systems;
        this.reader = systems.reader(step.system());
        this.retry = systems.resilience(step.system()).map(ResilienceSettings::retry).orElse(FALLBACK);
        this.cache = new EnrichCache(integration, index, step.ttl(), step.maxEntries());
        this.executor = executor;
    }

    /** Enriches {@code message}, received at {@code receivedAt} (its max-age counts from then). */
    CompletionStage<Outcome> enrich(JsonNode message, long receivedAt) {
        String path;
        try {
            path = step.path().expand(message);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(new Refused("enrich-path", step.path().source() + ": " + e.getMessage()));
        }
        return attempt(message, path, receivedAt, 0);
    }

    private CompletionStage<Outcome> attempt(JsonNode message, String path, long receivedAt, int failed) {
        return cache.get(path, this::read).handle((answer, failure) -> {
            if (failure == null) {
                return CompletableFuture.completedFuture(merged(message, path, answer));
            }
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            String errorClass = SystemActor.errorClass(cause);
            String where = step.system() + " GET " + path;
            if (cause instanceof PermanentException) {
                return CompletableFuture.<Outcome>completedFuture(new Refused("enrich-" + errorClass, where + ": " + cause.getMessage()));
            }
            boolean held = "not-attempted".equals(errorClass);
            int attempts = held ? failed : failed + 1;
            if (System.currentTimeMillis() - receivedAt > retry.maxAge().toMillis() || attempts >= retry.maxAttempts()) {
                return CompletableFuture.<Outcome>completedFuture(new Refused("enrich-" + errorClass, where + ": still failing after "
                        + attempts + " attempt(s): " + cause.getMessage()));
            }
            Duration delay = held ? COME_BACK : Backoff.after(attempts, retry);
            if (cause instanceof RetriableException r && r.retryAfter().isPresent() && r.retryAfter().get().compareTo(delay) > 0) {
                delay = r.retryAfter().get();
            }
            Executor at = CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, executor);
            return CompletableFuture.supplyAsync(() -> null, at).thenCompose(x -> attempt(message, path, receivedAt, attempts));
        }).thenCompose(next -> next);
    }

    private CompletableFuture<Optional<JsonNode>> read(String path) {
        if (reader.isEmpty()) {
            return CompletableFuture.failedFuture(new RetriableException("not-attempted", "system " + step.system()
                    + " is not running on this node (a system added by a reload runs after a restart)", null));
        }
        return systems.calls(step.system()).call(() -> reader.get().get(path)).toCompletableFuture();
    }

    /** The message with the answer at {@code into}; the trace says which path was read and whether the cache answered. */
    private Outcome merged(JsonNode message, String path, EnrichCache.Answer answer) {
        if (answer.document().isEmpty() && step.deadLetterMissing()) {
            return new Refused("enrich-not-found", step.system() + " GET " + path + ": not found (404)");
        }
        JsonNode copy = message.deepCopy();
        JsonNode parent = copy.at(step.into().head());
        if (!(parent instanceof ObjectNode object)) {
            return new Refused("enrich-into", "the message has no object at " + step.into().head() + " to put "
                    + step.into() + " in");
        }
        object.set(step.into().last().getMatchingProperty(), answer.document().<JsonNode>map(JsonNode::deepCopy).orElse(NullNode.getInstance()));
        ObjectNode lineage = JsonNodeFactory.instance.objectNode().put("system", step.system()).put("path", path)
                .put("cache", answer.cached() ? "hit" : "miss").put("found", answer.document().isPresent());
        return new Enriched(copy, new Pipeline.Trace(index, step.label(), "", lineage, true));
    }
}
