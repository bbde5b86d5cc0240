package dev.junction.server.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import dev.junction.server.observability.Metrics;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * The answers of one enrich step on this node, shared by the integration's partitions: an answer (found or not found) is
 * reused for the step's ttl, and concurrent misses for one path share one read, because the cache holds the read's future
 * from the moment it starts. A failed read is forgotten at once, so the next message reads again. Thread-safe.
 */
final class EnrichCache {
    /** An answer: the document, empty for "not found"; {@code cached} when no read was started for it. */
    record Answer(Optional<JsonNode> document, boolean cached) {}

    private final Cache<String, CompletableFuture<Optional<JsonNode>>> answers;
    private final String integration;
    private final String step;

    EnrichCache(String integration, int stepIndex, Duration ttl, long maxEntries) {
        this.integration = integration;
        this.step = String.valueOf(stepIndex);
        this.answers = CacheBuilder.newBuilder().expireAfterWrite(ttl).maximumSize(maxEntries).build();
    }

    /** The answer for {@code path}: the cached or in-flight one, else the one {@code read} starts. */
    CompletableFuture<Answer> get(String path, Function<String, CompletableFuture<Optional<JsonNode>>> read) {
        boolean[] started = {false};
        CompletableFuture<Optional<JsonNode>> answer;
        try {
            answer = answers.get(path, () -> {
                started[0] = true;
                return read.apply(path);
            });
        } catch (ExecutionException e) {
            return CompletableFuture.failedFuture(e.getCause());
        }
        Metrics.enrichCache(integration, step, started[0] ? "miss" : "hit");
        if (started[0]) {
            answer.whenComplete((document, failure) -> {
                if (failure != null) {
                    answers.asMap().remove(path, answer);
                }
            });
        }
        boolean cached = !started[0];
        return answer.thenApply(document -> new Answer(document, cached));
    }
}
