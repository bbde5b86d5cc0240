package dev.junction.server.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.connectors.api.IngestResult;
import dev.junction.connectors.api.PermanentException;
import dev.junction.connectors.api.RetriableException;
import dev.junction.connectors.api.SinkRecord;
import dev.junction.connectors.api.TraceContext;
import dev.junction.server.config.Predicate;
import dev.junction.server.config.ResilienceSettings;
import dev.junction.server.config.StepSettings;
import dev.junction.server.inbox.Envelope;
import dev.junction.server.inbox.MessageIds;
import dev.junction.server.inbox.PendingDelivery;
import dev.junction.server.inbox.Settlement;
import dev.junction.server.inbox.Withdrawal;
import dev.junction.server.masking.Masking;
import dev.junction.server.masking.Redactor;
import dev.junction.server.observability.LogContext;
import dev.junction.server.observability.Metrics;
import dev.junction.server.observability.Tracing;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the envelopes of one revision of one integration: parses the raw original, runs the steps once (from the
 * envelope's first step, with the mapping versions asked for), records what each step did, then makes attempts at every target
 * through its system's actor until each is delivered or dead-lettered. A retriable failure waits with exponential back-off and
 * jitter (at least the target's own Retry-After) and counts as an attempt; waiting for the system's breaker, pause, rate limit
 * or bulkhead does not. A permanent failure, an exhausted attempt budget or an envelope older than max-age ends as a dead
 * letter. Every attempt carries the envelope's idempotency key and is recorded. A split hands its elements to the inbox instead
 * (see {@link Splitting}). An enrich step reads its system asynchronously (see {@link Enricher}): the message stays pending
 * meanwhile, and a read that keeps failing ends it as a dead letter like an exhausted target. Shared by the integration's partitions on this node; thread-safe.
 */
public final class IntegrationDelivery {
    private static final Logger log = LoggerFactory.getLogger(IntegrationDelivery.class);
    private static final Duration COME_BACK = Duration.ofMillis(200);
    private static final Duration SPLIT_AGAIN = Duration.ofSeconds(1);

    /**
     * One target of the integration: its system, the retry policy of that system, and its routing predicate if any; for a
     * channel target, the channel and version it publishes (its system is then {@code channel:<name>}, its resilience null).
     */
    public record Target(String name, String system, ResilienceSettings resilience, Optional<Predicate> when,
                         dev.junction.server.config.ChannelSettings.Publish channel) {}

    /** Where the elements of a split go: into the inbox as messages of their own, deduplicated by their derived keys. */
    @FunctionalInterface
    public interface Children {
        CompletionStage<IngestResult> accept(Envelope child);
    }

    private final String integration;
    private final String revision;
    private final Pipeline pipeline;
    private final List<Target> targets;
    private final Systems systems;
    private final Executor executor;
    private final ObjectMapper json;
    private final Children children;
    private final List<String> lookups;
    private final Masking mask;
    private final Channels channels;
    private final dev.junction.server.config.ChannelSettings.Subscription subscription;
    /** The enrich steps, by index: each with its cache, made once per revision and shared by the partitions. */
    private final Map<Integer, Enricher> enrichers = new java.util.HashMap<>();

    /**
     * @param lookups the version tag of each lookup table the steps name, recorded with each settlement
     * @param mask    what the error details it records and the lines it logs must not show
     * @param channels     where its channel targets publish
     * @param subscription the channel it subscribes to, whose versions it accepts; null when its source is not a channel
     */
    public IntegrationDelivery(String integration, String revision, Pipeline pipeline, List<Target> targets, Systems systems,
                               Executor executor, ObjectMapper json, Children children, List<String> lookups, Masking mask,
                               Channels channels, dev.junction.server.config.ChannelSettings.Subscription subscription) {
        this.integration = integration;
        this.channels = channels;
        this.subscription = subscription;
        this.revision = revision;
        this.lookups = List.copyOf(lookups);
        this.mask = mask;
        this.pipeline = pipeline;
        this.targets = List.copyOf(targets);
        this.systems = systems;
        this.executor = executor;
        this.json = json;
        this.children = children;
        for (int i = 0; i < pipeline.steps().size(); i++) {
            if (pipeline.steps().get(i) instanceof StepSettings.Enrich step) {
                enrichers.put(i, new Enricher(integration, i, step, systems, executor));
            }
        }
    }

    public String revision() {
        return revision;
    }

    /** A partition asked its deliveries to withdraw: the systems answer the withdrawn calls waiting for them now. */
    void sweepWithdrawn() {
        systems.sweepWithdrawn();
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    /** The mask of {@code envelope}: an element of a split (it starts after the first step) holds a part of its original. */
    private Masking masking(Envelope envelope) {
        return envelope.firstStep() > 0 ? mask.elements() : mask;
    }

    /** The version tag of each lookup table its steps name. */
    public List<String> lookups() {
        return lookups;
    }

    /**
     * Takes {@code pending} through the steps (from the envelope's first step), then to its targets.
     *
     * @param pinned the mapping versions to use, by mapping name; the others use their current version
     * @param ticket what its attempts carry: once it is withdrawn (before any attempt started) the stage fails with
     *               {@link Withdrawal#WITHDRAWN}
     */
    CompletionStage<Settlement> deliver(PendingDelivery pending, Map<String, Integer> pinned, EnvelopeTicket ticket) {
        Envelope envelope = pending.envelope();
        Map<String, List<Attempt>> earlier = pending.earlier();
        List<Target> chosen = pending.targets().isEmpty() ? targets
                : targets.stream().filter(t -> pending.targets().contains(t.name())).toList();
        Trail trail = new Trail(envelope, ticket);
        if (chosen.isEmpty()) {
            // A target removed since: nothing can be delivered; the dead letter says so instead of disappearing.
            return trail.settled(pending.targets().stream().map(name -> new TargetOutcome(name, "", Status.DEAD_LETTERED,
                    earlier.getOrDefault(name, List.of()).size(), "target", "revision " + revision + " of " + integration
                    + " has no target " + name, earlier.getOrDefault(name, List.of()))).toList(), null);
        }
        if (envelope.unusable() != null) {
            // Its source could not use it (no key, a body it cannot read): kept so an operator sees it, never attempted.
            return trail.settled(everyTarget(chosen, Status.DEAD_LETTERED, envelope.unusable().errorClass(),
                    envelope.unusable().reason(), earlier), null);
        }
        String refused = refusedVersion(envelope);
        if (refused != null) {
            // Published as a schema version this subscriber does not accept: filtered with the reason, in its lineage and counts.
            return trail.settled(everyTarget(chosen, Status.FILTERED, "channel-version", refused, earlier), null);
        }
        JsonNode input;
        try {
            input = json.readTree(envelope.raw());
        } catch (IOException e) {
            return trail.settled(everyTarget(chosen, Status.DEAD_LETTERED, "payload",
                    "the raw original is not JSON: " + e.getMessage(), earlier), null);
        }
        trail.redactor = masking(envelope).redactor(input);
        return steps(input, envelope.firstStep(), pinned, List.of(), envelope, trail.redactor)
                .thenCompose(result -> afterSteps(result, envelope, chosen, earlier, trail, pinned));
    }

    /** Why a subscriber does not take {@code envelope}'s channel version, or null when it does (or is no subscriber). */
    private String refusedVersion(Envelope envelope) {
        String version = envelope.headers().get(Channels.VERSION);
        if (subscription == null || version == null || !envelope.headers().containsKey(Channels.CHANNEL)) {
            return null;
        }
        int v;
        try {
            v = Integer.parseInt(version);
        } catch (NumberFormatException e) {
            return "channel " + envelope.headers().get(Channels.CHANNEL) + ": version " + version + " is not a number";
        }
        return subscription.accepts(v) ? null : "channel " + envelope.headers().get(Channels.CHANNEL) + " v" + v
                + ": this subscriber accepts versions " + new java.util.TreeSet<>(subscription.versions());
    }

    /**
     * Runs the steps from {@code from}; at an enrich step it waits for the system's answer (asynchronously, the message stays
     * pending) and goes on with the enriched message.
     */
    private CompletionStage<Pipeline.Result> steps(JsonNode message, int from, Map<String, Integer> pinned,
                                                   List<Pipeline.Trace> before, Envelope envelope, Redactor shown) {
        Pipeline.Result result = pipeline.apply(message, from, pinned, before);
        if (!(result instanceof Pipeline.Paused paused)) {
            return done(result);
        }
        return enrichers.get(paused.index()).enrich(paused.message(), envelope.receivedAt(), shown).thenComposeAsync(outcome -> {
            if (outcome instanceof Enricher.Enriched enriched) {
                List<Pipeline.Trace> traces = new ArrayList<>(paused.traces());
                traces.add(enriched.trace());
                return steps(enriched.message(), paused.index() + 1, pinned, traces, envelope, shown);
            }
            Enricher.Refused refused = (Enricher.Refused) outcome;
            return done(new Pipeline.Failed(paused.step().label(), refused.errorClass(), refused.detail(), paused.traces()));
        }, executor);
    }

    /** Settles what came out of the steps: filtered, dead-lettered, split, or attempted at each chosen target. */
    private CompletionStage<Settlement> afterSteps(Pipeline.Result result, Envelope envelope, List<Target> chosen,
                                                   Map<String, List<Attempt>> earlier, Trail trail, Map<String, Integer> pinned) {
        trail.record(result);
        if (result instanceof Pipeline.Filtered filtered) {
            return trail.settled(everyTarget(chosen, Status.FILTERED, "filtered", filtered.step(), earlier), null);
        }
        if (result instanceof Pipeline.Failed failed) {
            try (LogContext ignored = logContext(envelope)) {
                log.warn("dead letter {} of {}: {} failed: {}", envelope.messageId(), integration, failed.step(),
                        trail.redactor.text(failed.detail()));
            }
            return trail.settled(everyTarget(chosen, Status.DEAD_LETTERED, failed.errorClass(),
                    failed.step() + ": " + failed.detail(), earlier), null);
        }
        if (result instanceof Pipeline.Split split) {
            return new Splitting(envelope, split, chosen, earlier, trail, StepSettings.mappingTags(pipeline.steps(), pinned)).next();
        }
        Pipeline.Passed passed = (Pipeline.Passed) result;
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(passed.payload());
        } catch (JsonProcessingException e) {
            return trail.settled(everyTarget(chosen, Status.DEAD_LETTERED, "payload", e.getOriginalMessage(), earlier), null);
        }
        List<CompletableFuture<TargetOutcome>> outcomes = chosen.stream()
                .map(t -> route(t, envelope, passed.payload(), bytes, earlier.getOrDefault(t.name(), List.of()), trail).toCompletableFuture())
                .toList();
        return CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<TargetOutcome> ends = outcomes.stream().map(CompletableFuture::join).toList();
            boolean dead = ends.stream().anyMatch(o -> o.status() == Status.DEAD_LETTERED);
            return trail.settlement(ends, dead ? new String(bytes, StandardCharsets.UTF_8) : null);
        });
    }

    /** What the steps did to one envelope, for its settlement: the lineage. */
    private final class Trail {
        private final Envelope envelope;
        private final EnvelopeTicket ticket;
        private List<Settlement.Step> steps = List.of();
        private List<String> versions = List.of();
        private List<String> childIds = List.of();
        /** The copies its channel targets published, one per subscriber: children in its lineage like a split's elements. */
        private final List<String> published = java.util.Collections.synchronizedList(new ArrayList<>());
        private Redactor redactor = Redactor.NONE;

        Trail(Envelope envelope, EnvelopeTicket ticket) {
            this.envelope = envelope;
            this.ticket = ticket;
        }

        void record(Pipeline.Result result) {
            versions = result.mappingVersions();
            steps = result.traces().stream().map(t -> new Settlement.Step(t.index(), t.step(), t.version(),
                    t.record() && t.output() != null ? t.output().toString() : "")).toList();
        }

        /** The settlement; error details pass the redactor, as a target's answer may quote the masked values. */
        Settlement settlement(List<TargetOutcome> outcomes, String transformed) {
            List<TargetOutcome> shown = !redactor.active() ? outcomes : outcomes.stream().map(o -> new TargetOutcome(o.target(),
                    o.system(), o.status(), o.attempts(), o.errorClass(), redactor.text(o.detail()), o.history() == null ? null
                    : o.history().stream().map(a -> new Attempt(a.number(), a.at(), a.millis(), a.errorClass(),
                            redactor.text(a.detail()))).toList())).toList();
            return new Settlement(envelope.messageId(), shown, System.currentTimeMillis(), transformed, versions, steps, revision,
                    childIds.isEmpty() ? List.copyOf(published) : childIds, lookups);
        }

        CompletionStage<Settlement> settled(List<TargetOutcome> outcomes, String transformed) {
            return done(settlement(outcomes, transformed));
        }
    }

    /**
     * Hands a split's elements to the inbox, each a message of its own with a derived key, and settles the envelope once every
     * element is committed. An element already there (the envelope was split before a crash) is a duplicate, not a second
     * message, so splitting again is safe; while the inbox refuses, it tries again later, so no element is lost.
     */
    private final class Splitting {
        private final Envelope envelope;
        private final Pipeline.Split split;
        private final List<Target> chosen;
        private final Map<String, List<Attempt>> earlier;
        private final Trail trail;
        private final List<Envelope> elements;
        private final List<String> mappings;

        Splitting(Envelope envelope, Pipeline.Split split, List<Target> chosen, Map<String, List<Attempt>> earlier, Trail trail,
                  List<String> mappings) {
            this.mappings = mappings;
            this.envelope = envelope;
            this.split = split;
            this.chosen = chosen;
            this.earlier = earlier;
            this.trail = trail;
            this.elements = split.items().stream().map(this::element).toList();
        }

        private Envelope element(Pipeline.Item item) {
            byte[] raw = item.value().toString().getBytes(StandardCharsets.UTF_8);
            return Envelope.builder().messageId(MessageIds.next()).integration(integration)
                    .idempotencyKey(envelope.idempotencyKey() + "/" + item.keyPart()).receivedAt(envelope.receivedAt())
                    .contentType("application/json").raw(raw).headers(envelope.headers()).revision(revision)
                    .parentId(envelope.messageId()).firstStep(split.nextStep()).mappings(mappings)
                    .partitionKey(envelope.partitionKey()).build(); // ordered behind their parent, in their order
        }

        CompletionStage<Settlement> next() {
            if (elements.isEmpty()) {
                return trail.settled(everyTarget(chosen, Status.FILTERED, "filtered", split.step() + ": no elements", earlier), null);
            }
            List<CompletableFuture<IngestResult>> answers = elements.stream().map(e -> children.accept(e).toCompletableFuture()).toList();
            return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).handle((x, failure) -> answers)
                    .thenCompose(this::after);
        }

        private CompletionStage<Settlement> after(List<CompletableFuture<IngestResult>> answers) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < answers.size(); i++) {
                IngestResult answer = answers.get(i).isCompletedExceptionally() ? null : answers.get(i).join();
                if (answer instanceof IngestResult.Accepted a) {
                    ids.add(a.messageId());
                } else if (answer instanceof IngestResult.Duplicate d) {
                    ids.add(d.messageId());
                } else if (answer instanceof IngestResult.Conflict c) {
                    return trail.settled(everyTarget(chosen, Status.DEAD_LETTERED, "split", split.step() + ": the derived key "
                            + elements.get(i).idempotencyKey() + " belongs to another message (" + c.messageId() + ") with another body",
                            earlier), null);
                } else {
                    log.debug("the inbox refused elements of {} ({}); splitting again in {}", envelope.messageId(), answer, SPLIT_AGAIN);
                    Executor at = CompletableFuture.delayedExecutor(SPLIT_AGAIN.toMillis(), TimeUnit.MILLISECONDS, executor);
                    return CompletableFuture.supplyAsync(() -> null, at).thenCompose(y -> next());
                }
            }
            trail.childIds = List.copyOf(ids);
            // The envelope itself went to no target: it became its elements, each of which ends delivered, filtered or dead-lettered.
            return trail.settled(List.of(), null);
        }
    }

    /** The first attempt at {@code target}, unless its {@code when} predicate leaves the message out. */
    private CompletionStage<TargetOutcome> route(Target target, Envelope envelope, JsonNode payload, byte[] bytes, List<Attempt> earlier,
                                                 Trail trail) {
        Routing.Decision decision = Routing.decide(target.when(), payload);
        if (decision instanceof Routing.Skip skip) {
            return done(new TargetOutcome(target.name(), target.system(), Status.FILTERED, 0, "filtered", skip.rule(), earlier));
        }
        if (decision instanceof Routing.Refuse refuse) {
            return done(new TargetOutcome(target.name(), target.system(), Status.DEAD_LETTERED, 0, Routing.ERROR_CLASS,
                    refuse.detail(), earlier));
        }
        if (target.channel() != null) {
            return channels.publish(integration, target, envelope, bytes, payload, earlier, trail.published::addAll);
        }
        return new Attempts(target, envelope, payload, bytes, earlier, trail.ticket).next();
    }

    /** The attempts at one target for one envelope; each step runs after the previous one completed, never two at once. */
    private final class Attempts {
        private final Target target;
        private final Envelope envelope;
        private final JsonNode payload;
        private final byte[] bytes;
        private final List<Attempt> history;
        private final int budget;
        private final EnvelopeTicket ticket;

        Attempts(Target target, Envelope envelope, JsonNode payload, byte[] bytes, List<Attempt> earlier, EnvelopeTicket ticket) {
            this.ticket = ticket;
            this.target = target;
            this.envelope = envelope;
            this.payload = payload;
            this.bytes = bytes;
            this.history = new ArrayList<>(earlier);
            this.budget = earlier.size() + target.resilience().retry().maxAttempts(); // a replay gets a fresh budget
        }

        CompletionStage<TargetOutcome> next() {
            if (ticket.withdrawIfAsked()) {
                return CompletableFuture.failedFuture(Withdrawal.WITHDRAWN);
            }
            ResilienceSettings.Retry retry = target.resilience().retry();
            if (System.currentTimeMillis() - envelope.receivedAt() > retry.maxAge().toMillis() && !history.isEmpty()) {
                Attempt last = history.get(history.size() - 1);
                return done(end(Status.DEAD_LETTERED, "max-age", "still failing " + retry.maxAge() + " after it was received; last: "
                        + last.errorClass() + " " + last.detail()));
            }
            int number = history.size() + 1;
            Tracing.Step span = Tracing.attempt(integration, target.name(), target.system(), envelope.messageId(), number, envelope.headers());
            SinkRecord record = new SinkRecord(envelope.messageId(), integration, envelope.idempotencyKey(), payload, bytes,
                    span.headers(), number);
            return systems.call(target.system(), Systems.targetId(integration, target.name()), record, ticket).whenComplete((result, e) ->
                    // The error class only: a connector's detail may quote the payload, and exported spans are never masked.
                    span.finish(result instanceof CallResult.NotAttempted ? "not-attempted"
                            : result instanceof CallResult.Attempted a && a.failure() != null ? SystemActor.errorClass(a.failure())
                            : null)).thenCompose(this::after);
        }

        private CompletionStage<TargetOutcome> after(CallResult result) {
            if (result instanceof CallResult.NotAttempted) {
                if (ticket.withdrawn()) {
                    return CompletableFuture.failedFuture(Withdrawal.WITHDRAWN);
                }
                return later(COME_BACK); // the system held the call back: no attempt was made, none is counted
            }
            CallResult.Attempted attempted = (CallResult.Attempted) result;
            Throwable failure = attempted.failure();
            Metrics.attempt(target.system(), failure == null ? "ok" : SystemActor.errorClass(failure), attempted.millis());
            if (failure == null) {
                history.add(new Attempt(history.size() + 1, attempted.startedAt(), attempted.millis(), "", ""));
                return done(end(Status.DELIVERED, "", ""));
            }
            String errorClass = SystemActor.errorClass(failure);
            String detail = String.valueOf(failure.getMessage());
            history.add(new Attempt(history.size() + 1, attempted.startedAt(), attempted.millis(), errorClass, detail));
            if (failure instanceof PermanentException || history.size() >= budget) {
                try (LogContext ignored = logContext(envelope)) {
                    log.warn("dead letter {} of {} to {} after {} attempt(s): {} {}", envelope.messageId(), integration, target.name(),
                            history.size(), errorClass, masking(envelope).redactor(envelope.raw()).text(detail));
                }
                return done(end(Status.DEAD_LETTERED, errorClass, detail));
            }
            Duration delay = Backoff.after(history.size(), target.resilience().retry());
            if (failure instanceof RetriableException r && r.retryAfter().isPresent() && r.retryAfter().get().compareTo(delay) > 0) {
                delay = r.retryAfter().get();
            }
            if (log.isDebugEnabled()) {
                try (LogContext ignored = logContext(envelope)) {
                    log.debug("attempt {} of {} to {} failed ({}); retrying in {}", history.size(), envelope.messageId(), target.name(),
                            errorClass, delay);
                }
            }
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

    private LogContext logContext(Envelope envelope) {
        return LogContext.of(envelope.messageId(), integration, envelope.idempotencyKey(), TraceContext.traceId(envelope.headers()));
    }

    private static <T> CompletionStage<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
