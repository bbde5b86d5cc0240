package dev.junction.server.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.connectors.api.PermanentException;
import dev.junction.connectors.api.RetriableException;
import dev.junction.connectors.api.SinkRecord;
import dev.junction.server.config.Predicate;
import dev.junction.server.config.ResilienceSettings;
import dev.junction.server.inbox.DeliveryHandler;
import dev.junction.server.inbox.Envelope;
import dev.junction.server.inbox.Settlement;
import dev.junction.server.inbox.Settlement.Attempt;
import dev.junction.server.inbox.Settlement.Status;
import dev.junction.server.inbox.Settlement.TargetOutcome;
import dev.junction.server.system.CallResult;
import dev.junction.server.system.SystemActor;
import dev.junction.server.system.Systems;
import dev.junction.server.transform.Pipeline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one integration's envelopes: parses the raw original, runs the steps once, then makes attempts at every target
 * through its system's actor until each is delivered or dead-lettered. A retriable failure waits with exponential back-off and
 * jitter (at least the target's own Retry-After) and counts as an attempt; waiting for the system's breaker, pause, rate limit
 * or bulkhead does not. A permanent failure, an exhausted attempt budget or an envelope older than max-age ends as a dead
 * letter. Every attempt carries the envelope's idempotency key and is recorded. Shared by the integration's partitions on this
 * node; thread-safe.
 */
public final class IntegrationDelivery implements DeliveryHandler {
    private static final Logger log = LoggerFactory.getLogger(IntegrationDelivery.class);
    private static final Duration COME_BACK = Duration.ofMillis(200);

    /** One target of the integration: its system, the retry policy of that system, and its routing predicate if any. */
    public record Target(String name, String system, ResilienceSettings resilience, Optional<Predicate> when) {}

    private final String integration;
    private final Pipeline pipeline;
    private final List<Target> targets;
    private final Systems systems;
    private final Executor executor;
    private final ObjectMapper json;

    public IntegrationDelivery(String integration, Pipeline pipeline, List<Target> targets, Systems systems, Executor executor,
                               ObjectMapper json) {
        this.integration = integration;
        this.pipeline = pipeline;
        this.targets = List.copyOf(targets);
        this.systems = systems;
        this.executor = executor;
        this.json = json;
    }

    @Override
    public CompletionStage<Settlement> deliver(Envelope envelope, Set<String> only, Map<String, List<Attempt>> earlier) {
        List<Target> chosen = only.isEmpty() ? targets : targets.stream().filter(t -> only.contains(t.name())).toList();
        JsonNode input;
        try {
            input = json.readTree(envelope.raw());
        } catch (IOException e) {
            return settled(envelope, everyTarget(chosen, Status.DEAD_LETTERED, "payload",
                    "the raw original is not JSON: " + e.getMessage(), earlier), null, List.of());
        }
        Pipeline.Result result = pipeline.apply(input);
        if (result instanceof Pipeline.Filtered filtered) {
            return settled(envelope, everyTarget(chosen, Status.FILTERED, "filtered", filtered.step(), earlier), null, List.of());
        }
        if (result instanceof Pipeline.Failed failed) {
            log.warn("dead letter {} of {}: {} failed: {}", envelope.messageId(), integration, failed.step(), failed.detail());
            return settled(envelope, everyTarget(chosen, Status.DEAD_LETTERED, failed.errorClass(),
                    failed.step() + ": " + failed.detail(), earlier), null, List.of());
        }
        Pipeline.Passed passed = (Pipeline.Passed) result;
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(passed.payload());
        } catch (JsonProcessingException e) {
            return settled(envelope, everyTarget(chosen, Status.DEAD_LETTERED, "payload", e.getOriginalMessage(), earlier), null, List.of());
        }
        List<CompletableFuture<TargetOutcome>> outcomes = chosen.stream()
                .map(t -> route(t, envelope, passed.payload(), bytes, earlier.getOrDefault(t.name(), List.of())).toCompletableFuture())
                .toList();
        return CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<TargetOutcome> ends = outcomes.stream().map(CompletableFuture::join).toList();
            boolean dead = ends.stream().anyMatch(o -> o.status() == Status.DEAD_LETTERED);
            return new Settlement(envelope.messageId(), ends, System.currentTimeMillis(),
                    dead ? new String(bytes, StandardCharsets.UTF_8) : null, passed.mappingVersions());
        });
    }

    /** The first attempt at {@code target}, unless its {@code when} predicate leaves the message out. */
    private CompletionStage<TargetOutcome> route(Target target, Envelope envelope, JsonNode payload, byte[] bytes, List<Attempt> earlier) {
        if (target.when().isPresent()) {
            Predicate when = target.when().get();
            try {
                if (!when.test(payload)) {
                    return done(new TargetOutcome(target.name(), target.system(), Status.FILTERED, 0, "filtered",
                            "when(" + when.source() + ")", earlier));
                }
            } catch (RuntimeException e) {
                return done(new TargetOutcome(target.name(), target.system(), Status.DEAD_LETTERED, 0, "route",
                        "when(" + when.source() + "): " + e.getMessage(), earlier));
            }
        }
        return new Attempts(target, envelope, payload, bytes, earlier).next();
    }

    /** The attempts at one target for one envelope; each step runs after the previous one completed, never two at once. */
    private final class Attempts {
        private final Target target;
        private final Envelope envelope;
        private final JsonNode payload;
        private final byte[] bytes;
        private final List<Attempt> history;
        private final int budget;

        Attempts(Target target, Envelope envelope, JsonNode payload, byte[] bytes, List<Attempt> earlier) {
            this.target = target;
            this.envelope = envelope;
            this.payload = payload;
            this.bytes = bytes;
            this.history = new ArrayList<>(earlier);
            this.budget = earlier.size() + target.resilience().retry().maxAttempts(); // a replay gets a fresh budget
        }

        CompletionStage<TargetOutcome> next() {
            ResilienceSettings.Retry retry = target.resilience().retry();
            if (System.currentTimeMillis() - envelope.receivedAt() > retry.maxAge().toMillis() && !history.isEmpty()) {
                Attempt last = history.get(history.size() - 1);
                return done(end(Status.DEAD_LETTERED, "max-age", "still failing " + retry.maxAge() + " after it was received; last: "
                        + last.errorClass() + " " + last.detail()));
            }
            int number = history.size() + 1;
            SinkRecord record = new SinkRecord(envelope.messageId(), integration, envelope.idempotencyKey(), payload, bytes,
                    envelope.headers(), number);
            return systems.call(target.system(), Systems.targetId(integration, target.name()), record).thenCompose(this::after);
        }

        private CompletionStage<TargetOutcome> after(CallResult result) {
            if (result instanceof CallResult.NotAttempted) {
                return later(COME_BACK); // the system held the call back: no attempt was made, none is counted
            }
            CallResult.Attempted attempted = (CallResult.Attempted) result;
            Throwable failure = attempted.failure();
            if (failure == null) {
                history.add(new Attempt(history.size() + 1, attempted.startedAt(), attempted.millis(), "", ""));
                return done(end(Status.DELIVERED, "", ""));
            }
            String errorClass = SystemActor.errorClass(failure);
            String detail = String.valueOf(failure.getMessage());
            history.add(new Attempt(history.size() + 1, attempted.startedAt(), attempted.millis(), errorClass, detail));
            if (failure instanceof PermanentException || history.size() >= budget) {
                log.warn("dead letter {} of {} to {} after {} attempt(s): {} {}", envelope.messageId(), integration, target.name(),
                        history.size(), errorClass, detail);
                return done(end(Status.DEAD_LETTERED, errorClass, detail));
            }
            Duration delay = Backoff.after(history.size(), target.resilience().retry());
            if (failure instanceof RetriableException r && r.retryAfter().isPresent() && r.retryAfter().get().compareTo(delay) > 0) {
                delay = r.retryAfter().get();
            }
            log.debug("attempt {} of {} to {} failed ({}); retrying in {}", history.size(), envelope.messageId(), target.name(),
                    errorClass, delay);
            return later(delay);
        }

        private CompletionStage<TargetOutcome> later(Duration delay) {
            Executor at = CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, executor);
            return CompletableFuture.supplyAsync(() -> null, at).thenCompose(x -> next());
        }

        private TargetOutcome end(Status status, String errorClass, String detail) {
            return new TargetOutcome(target.name(), target.system(), status, history.size(), errorClass, detail, List.copyOf(history));
        }
    }

    private static List<TargetOutcome> everyTarget(List<Target> chosen, Status status, String errorClass, String detail,
                                                   Map<String, List<Attempt>> earlier) {
        return chosen.stream().map(t -> {
            List<Attempt> history = earlier.getOrDefault(t.name(), List.of());
            return new TargetOutcome(t.name(), t.system(), status, history.size(), errorClass, detail, history);
        }).toList();
    }

    private static CompletionStage<Settlement> settled(Envelope envelope, List<TargetOutcome> outcomes, String transformed,
                                                       List<String> versions) {
        return done(new Settlement(envelope.messageId(), outcomes, System.currentTimeMillis(), transformed, versions));
    }

    private static <T> CompletionStage<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
