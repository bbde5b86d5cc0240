package dev.junction.server.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.connectors.api.PermanentException;
import dev.junction.connectors.api.RetriableException;
import dev.junction.connectors.api.SinkInstance;
import dev.junction.connectors.api.SinkRecord;
import dev.junction.server.config.Predicate;
import dev.junction.server.config.ResilienceSettings;
import dev.junction.server.inbox.DeliveryHandler;
import dev.junction.server.inbox.Envelope;
import dev.junction.server.inbox.Settlement;
import dev.junction.server.inbox.Settlement.Status;
import dev.junction.server.inbox.Settlement.TargetOutcome;
import dev.junction.server.transform.Pipeline;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one integration's envelopes: parses the raw original, runs the steps once, then makes attempts at every target
 * until each is delivered or dead-lettered. Retriable failures wait with exponential back-off and jitter (at least as long as
 * the target's own Retry-After); permanent failures and exhausted retry budgets end as dead letters. Every attempt carries the
 * envelope's idempotency key. Shared by the partitions of the integration on this node; thread-safe.
 */
public final class IntegrationDelivery implements DeliveryHandler {
    private static final Logger log = LoggerFactory.getLogger(IntegrationDelivery.class);

    /** One target of the integration with its sink, the retry policy of its system, and its routing predicate if any. */
    public record Target(String name, SinkInstance sink, ResilienceSettings resilience, java.util.Optional<Predicate> when) {}

    private final String integration;
    private final Pipeline pipeline;
    private final List<Target> targets;
    private final Executor executor;
    private final ObjectMapper json;

    public IntegrationDelivery(String integration, Pipeline pipeline, List<Target> targets, Executor executor, ObjectMapper json) {
        this.integration = integration;
        this.pipeline = pipeline;
        this.targets = List.copyOf(targets);
        this.executor = executor;
        this.json = json;
    }

    @Override
    public int parallelism() {
        return targets.stream().mapToInt(t -> t.resilience().maxInFlight()).min().orElse(1);
    }

    @Override
    public CompletionStage<Settlement> deliver(Envelope envelope) {
        JsonNode input;
        try {
            input = json.readTree(envelope.raw());
        } catch (IOException e) {
            return settled(envelope, everyTarget(Status.DEAD_LETTERED, "payload", "the raw original is not JSON: " + e.getMessage()));
        }
        Pipeline.Result result = pipeline.apply(input);
        if (result instanceof Pipeline.Filtered filtered) {
            return settled(envelope, everyTarget(Status.FILTERED, "filtered", filtered.step()));
        }
        if (result instanceof Pipeline.Failed failed) {
            log.warn("dead letter {} of {}: {} failed: {}", envelope.messageId(), integration, failed.step(), failed.detail());
            return settled(envelope, everyTarget(Status.DEAD_LETTERED, failed.errorClass(), failed.step() + ": " + failed.detail()));
        }
        JsonNode payload = ((Pipeline.Passed) result).payload();
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(payload);
        } catch (JsonProcessingException e) {
            return settled(envelope, everyTarget(Status.DEAD_LETTERED, "payload", e.getOriginalMessage()));
        }
        List<CompletableFuture<TargetOutcome>> outcomes = targets.stream()
                .map(t -> route(t, envelope, payload, bytes).toCompletableFuture())
                .toList();
        return CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
                .thenApply(done -> new Settlement(envelope.messageId(), outcomes.stream().map(CompletableFuture::join).toList(),
                        System.currentTimeMillis()));
    }

    /** The first attempt at {@code target}, unless its {@code when} predicate leaves the message out. */
    private CompletionStage<TargetOutcome> route(Target target, Envelope envelope, JsonNode payload, byte[] bytes) {
        if (target.when().isPresent()) {
            Predicate when = target.when().get();
            try {
                if (!when.test(payload)) {
                    return CompletableFuture.completedFuture(new TargetOutcome(target.name(), Status.FILTERED, 0, "filtered",
                            "when(" + when.source() + ")"));
                }
            } catch (RuntimeException e) {
                return CompletableFuture.completedFuture(new TargetOutcome(target.name(), Status.DEAD_LETTERED, 0, "route",
                        "when(" + when.source() + "): " + e.getMessage()));
            }
        }
        return attempt(target, envelope, payload, bytes, 1);
    }

    private CompletionStage<TargetOutcome> attempt(Target target, Envelope envelope, JsonNode payload, byte[] bytes, int attempt) {
        SinkRecord record = new SinkRecord(envelope.messageId(), integration, envelope.idempotencyKey(), payload, bytes,
                envelope.headers(), attempt);
        CompletionStage<Void> sent;
        try {
            sent = target.sink().send(record);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        return sent.handle((ok, failure) -> failure == null
                        ? CompletableFuture.completedFuture(new TargetOutcome(target.name(), Status.DELIVERED, attempt, "", ""))
                        : afterFailure(target, envelope, payload, bytes, attempt, unwrap(failure)))
                .thenCompose(stage -> stage);
    }

    private CompletionStage<TargetOutcome> afterFailure(Target target, Envelope envelope, JsonNode payload, byte[] bytes,
                                                         int attempt, Throwable failure) {
        String errorClass = failure instanceof PermanentException p ? p.errorClass()
                : failure instanceof RetriableException r ? r.errorClass() : failure.getClass().getSimpleName();
        String detail = String.valueOf(failure.getMessage());
        ResilienceSettings policy = target.resilience();
        if (failure instanceof PermanentException || attempt >= policy.maxAttempts()) {
            log.warn("dead letter {} of {} to {} after {} attempt(s): {} {}", envelope.messageId(), integration, target.name(),
                    attempt, errorClass, detail);
            return CompletableFuture.completedFuture(new TargetOutcome(target.name(), Status.DEAD_LETTERED, attempt, errorClass, detail));
        }
        Duration delay = Backoff.after(attempt, policy);
        if (failure instanceof RetriableException r && r.retryAfter().isPresent() && r.retryAfter().get().compareTo(delay) > 0) {
            delay = r.retryAfter().get();
        }
        log.debug("attempt {} of {} to {} failed ({}); retrying in {}", attempt, envelope.messageId(), target.name(), errorClass, delay);
        Executor later = CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, executor);
        return CompletableFuture.supplyAsync(() -> null, later).thenCompose(x -> attempt(target, envelope, payload, bytes, attempt + 1));
    }

    private List<TargetOutcome> everyTarget(Status status, String errorClass, String detail) {
        return targets.stream().map(t -> new TargetOutcome(t.name(), status, 0, errorClass, detail)).toList();
    }

    private static CompletionStage<Settlement> settled(Envelope envelope, List<TargetOutcome> outcomes) {
        return CompletableFuture.completedFuture(new Settlement(envelope.messageId(), outcomes, System.currentTimeMillis()));
    }

    private static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while (current instanceof CompletionException && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }
}
