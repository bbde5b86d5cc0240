package dev.junction.server.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.connectors.api.LookupReader;
import dev.junction.connectors.api.PermanentException;
import dev.junction.connectors.api.RetriableException;
import dev.junction.server.config.ResilienceSettings;
import dev.junction.server.config.StepSettings;
import dev.junction.server.masking.Redactor;
import dev.junction.server.system.SystemActor;
import dev.junction.server.system.Systems;
import dev.junction.server.transform.Pipeline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Runs one enrich step for one revision of an integration on this node: expands the path from the message (or, with
 * {@code for-each}, from each element of an array), reads the answer through the system's gates (or takes it from the
 * {@link EnrichCache}, which also lets concurrent reads of one path share one call), and puts it into the message. Where the
 * path is shown (lineage, dead letters, the system's status, the log) a masked value in it is shown masked; the read uses
 * the real one. A read that fails
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

    /** One read: the path read and the path shown (the same but for masked values, shown as {@code ***}). */
    private record Read(String path, String shown) {}

    /** What one read came to: an answer, or why the message must be dead-lettered. */
    private sealed interface Looked {}

    private record Found(EnrichCache.Answer answer) implements Looked {}

    private record Failed(Refused refused) implements Looked {}

    /**
     * Enriches {@code message}, received at {@code receivedAt} (its max-age counts from then); {@code shown} masks the values
     * the paths shown in lineage, dead letters, the system's status and the log must not carry.
     */
    CompletionStage<Outcome> enrich(JsonNode message, long receivedAt, Redactor shown) {
        if (step.forEach() != null) {
            return enrichEach(message, receivedAt, shown);
        }
        Read read;
        try {
            read = read(message, shown);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(new Refused("enrich-path", shown.text(step.path().source() + ": " + e.getMessage())));
        }
        return attempt(read, receivedAt, 0, shown).thenApply(looked -> looked instanceof Failed f ? f.refused()
                : merged(message, read, ((Found) looked).answer()));
    }

    /** Every element of the {@code for-each} array read (at most one read per distinct path), then each answer merged. */
    private CompletionStage<Outcome> enrichEach(JsonNode message, long receivedAt, Redactor shown) {
        JsonNode array = message.at(step.forEach());
        if (!array.isArray()) {
            return CompletableFuture.completedFuture(new Refused("enrich-for-each", "for-each " + step.forEach()
                    + " must point at an array; it is " + (array.isMissingNode() ? "missing" : "a " + array.getNodeType().name()
                    .toLowerCase(java.util.Locale.ROOT))));
        }
        List<Read> reads = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            try {
                reads.add(read(array.get(i), shown));
            } catch (IllegalArgumentException e) {
                return CompletableFuture.completedFuture(new Refused("enrich-path", shown.text(step.path().source() + " at "
                        + step.forEach() + "/" + i + ": " + e.getMessage())));
            }
        }
        List<CompletableFuture<Looked>> looked = reads.stream().map(r -> attempt(r, receivedAt, 0, shown).toCompletableFuture()).toList();
        return CompletableFuture.allOf(looked.toArray(CompletableFuture[]::new)).thenApply(all -> {
            List<EnrichCache.Answer> answers = new ArrayList<>(looked.size());
            for (CompletableFuture<Looked> one : looked) {
                if (one.join() instanceof Failed f) {
                    return f.refused();
                }
                answers.add(((Found) one.join()).answer());
            }
            return mergedEach(message, reads, answers);
        });
    }

    private Read read(JsonNode message, Redactor shown) {
        String path = step.path().expand(message);
        return new Read(path, shown.active() ? step.path().expand(message, shown::text) : path);
    }

    private CompletionStage<Looked> attempt(Read read, long receivedAt, int failed, Redactor shown) {
        return cache.get(read.path(), path -> read(read, shown)).handle((answer, failure) -> {
            if (failure == null) {
                return CompletableFuture.<Looked>completedFuture(new Found(answer));
            }
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            String errorClass = SystemActor.errorClass(cause);
            String where = step.system() + " GET " + read.shown();
            String detail = hidden(cause.getMessage(), read, shown);
            if (cause instanceof PermanentException) {
                return CompletableFuture.<Looked>completedFuture(new Failed(new Refused("enrich-" + errorClass, where + ": " + detail)));
            }
            boolean held = "not-attempted".equals(errorClass);
            int attempts = held ? failed : failed + 1;
            if (System.currentTimeMillis() - receivedAt > retry.maxAge().toMillis() || attempts >= retry.maxAttempts()) {
                return CompletableFuture.<Looked>completedFuture(new Failed(new Refused("enrich-" + errorClass, where
                        + ": still failing after " + attempts + " attempt(s): " + detail)));
            }
            Duration delay = held ? COME_BACK : Backoff.after(attempts, retry);
            if (cause instanceof RetriableException r && r.retryAfter().isPresent() && r.retryAfter().get().compareTo(delay) > 0) {
                delay = r.retryAfter().get();
            }
            Executor at = CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, executor);
            return CompletableFuture.supplyAsync(() -> null, at).thenCompose(x -> attempt(read, receivedAt, attempts, shown));
        }).thenCompose(next -> next);
    }

    /**
     * Reads {@code read}'s path through the system's gates. When values of the path are masked, a failure's message (which
     * the system's status and pause show, and the log may print) names the shown path instead: the same class, error class
     * and Retry-After, without the cause that may quote the real one.
     */
    private CompletableFuture<Optional<JsonNode>> read(Read read, Redactor shown) {
        if (reader.isEmpty()) {
            return CompletableFuture.failedFuture(new RetriableException("not-attempted", "system " + step.system()
                    + " is not running on this node (a system added by a reload runs after a restart)", null));
        }
        if (read.path().equals(read.shown())) {
            return systems.calls(step.system()).call(() -> reader.get().get(read.path())).toCompletableFuture();
        }
        return systems.calls(step.system()).call(() -> reader.get().get(read.path()).exceptionally(failure -> {
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            throw new java.util.concurrent.CompletionException(masked(cause, hidden(cause.getMessage(), read, shown)));
        })).toCompletableFuture();
    }

    /** {@code text} with the real path replaced by the shown one and masked values hidden. */
    private static String hidden(String text, Read read, Redactor shown) {
        return text == null ? null : shown.text(text.replace(read.path(), read.shown()));
    }

    private static Throwable masked(Throwable cause, String message) {
        if (cause instanceof PermanentException p) {
            return new PermanentException(p.errorClass(), message);
        }
        if (cause instanceof RetriableException r) {
            return r.isThrottled() ? RetriableException.throttled(r.errorClass(), message, r.retryAfter().orElse(null))
                    : new RetriableException(r.errorClass(), message, null, r.retryAfter().orElse(null));
        }
        return new RetriableException(SystemActor.errorClass(cause), message, null);
    }

    /** The message with the answer at {@code into}; the trace says which path was read and whether the cache answered. */
    private Outcome merged(JsonNode message, Read read, EnrichCache.Answer answer) {
        if (answer.document().isEmpty() && step.deadLetterMissing()) {
            return new Refused("enrich-not-found", step.system() + " GET " + read.shown() + ": not found (404)");
        }
        JsonNode copy = message.deepCopy();
        Refused refused = put(copy, answer, "the message");
        if (refused != null) {
            return refused;
        }
        return new Enriched(copy, new Pipeline.Trace(index, step.label(), "", lineage(read, answer), true));
    }

    /** The message with each element's answer merged into it (or put at {@code into} below it). */
    private Outcome mergedEach(JsonNode message, List<Read> reads, List<EnrichCache.Answer> answers) {
        JsonNode copy = message.deepCopy();
        ArrayNode elements = (ArrayNode) copy.at(step.forEach());
        ArrayNode lineage = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < answers.size(); i++) {
            EnrichCache.Answer answer = answers.get(i);
            String element = "element " + step.forEach() + "/" + i;
            if (answer.document().isEmpty() && step.deadLetterMissing()) {
                return new Refused("enrich-not-found", step.system() + " GET " + reads.get(i).shown() + " (" + element
                        + "): not found (404)");
            }
            Refused refused = put(elements.get(i), answer, element);
            if (refused != null) {
                return refused;
            }
            lineage.add(lineage(reads.get(i), answer));
        }
        ObjectNode trace = JsonNodeFactory.instance.objectNode().put("system", step.system())
                .put("forEach", step.forEach().toString());
        trace.set("elements", lineage);
        return new Enriched(copy, new Pipeline.Trace(index, step.label(), "", trace, true));
    }

    /** Puts {@code answer} into {@code node} at {@code into}, or merges its fields into it; null when done. */
    private Refused put(JsonNode node, EnrichCache.Answer answer, String what) {
        if (step.into().matches()) {
            if (answer.document().isEmpty()) {
                return null; // not found: the element stays as it was
            }
            if (!(node instanceof ObjectNode object) || !(answer.document().get() instanceof ObjectNode fields)) {
                return new Refused("enrich-into", "the answer for " + what + " cannot be merged into it: both must be objects"
                        + " (set 'into' to put the answer below it)");
            }
            object.setAll(fields.deepCopy());
            return null;
        }
        JsonNode parent = node.at(step.into().head());
        if (!(parent instanceof ObjectNode object)) {
            return new Refused("enrich-into", what + " has no object at " + step.into().head() + " to put " + step.into() + " in");
        }
        object.set(step.into().last().getMatchingProperty(), answer.document().<JsonNode>map(JsonNode::deepCopy).orElse(NullNode.getInstance()));
        return null;
    }

    private ObjectNode lineage(Read read, EnrichCache.Answer answer) {
        ObjectNode lineage = JsonNodeFactory.instance.objectNode();
        if (step.forEach() == null) {
            lineage.put("system", step.system());
        }
        return lineage.put("path", read.shown()).put("cache", answer.cached() ? "hit" : "miss").put("found", answer.document().isPresent());
    }
}
