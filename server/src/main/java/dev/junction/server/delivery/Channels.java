package dev.junction.server.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.ValidationMessage;
import dev.junction.connectors.api.IngestResult;
import dev.junction.server.config.ChannelSettings;
import dev.junction.server.config.IntegrationSettings;
import dev.junction.server.inbox.Envelope;
import dev.junction.server.inbox.Integrations;
import dev.junction.server.inbox.MessageIds;
import dev.junction.server.inbox.Settlement.Attempt;
import dev.junction.server.inbox.Settlement.Status;
import dev.junction.server.inbox.Settlement.TargetOutcome;
import dev.junction.server.transform.Pipeline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The channels on this node: who subscribes to each now, and the publish. Publishing a message is a delivery of the
 * publisher whose effect is the durable acceptance of a copy into the inbox of every current subscriber, each copy with a key
 * derived from the publisher's ({@code <publisher>/<target>/<key>}): a publisher's message delivered again (a replay, a
 * redelivery after a crash) is a duplicate at each subscriber, not a second message. The publisher's target settles
 * delivered once every subscriber has the copy durably; what a subscriber then does with it (its steps, its targets, its
 * back-off) is its own delivery and never holds the publisher or another subscriber back. Thread-safe.
 */
public final class Channels {
    /** The header a copy carries: the channel it came through. */
    public static final String CHANNEL = Envelope.CHANNEL_HEADER;
    /** The header a copy carries: the schema version it was published as (and validated against). */
    public static final String VERSION = "junction-channel-version";
    /** The header a copy carries: the publishing integration. */
    public static final String PUBLISHER = "junction-channel-publisher";
    private static final Logger log = LoggerFactory.getLogger(Channels.class);
    private static final Duration OFFER_AGAIN = Duration.ofSeconds(1);
    /** The error class of a publish its channel's schema refused. */
    public static final String SCHEMA_ERROR = "channel-schema";

    private final IntegrationDelivery.Children inbox;
    private final Integrations integrations;
    private final Executor executor;
    private volatile Map<String, List<String>> subscribers = Map.of();

    /**
     * @param inbox        where the copies go: a subscriber's inbox, deduplicated by the derived key
     * @param integrations the revision each subscriber accepts new messages under
     */
    public Channels(IntegrationDelivery.Children inbox, Integrations integrations, Executor executor) {
        this.inbox = inbox;
        this.integrations = integrations;
        this.executor = executor;
    }

    /**
     * Follows a configuration (at start, and after each reload is applied): the subscribers of each channel are the
     * integrations it declares with {@code source { channel = ... }}; a subscriber added gets the messages published from
     * now on, a subscriber removed gets no more.
     */
    public void follow(Map<String, IntegrationSettings> current) {
        Map<String, List<String>> next = new TreeMap<>();
        current.values().stream().filter(i -> i.channel() != null).sorted(java.util.Comparator.comparing(IntegrationSettings::name))
                .forEach(i -> next.computeIfAbsent(i.channel().channel(), c -> new ArrayList<>()).add(i.name()));
        next.replaceAll((c, list) -> List.copyOf(list));
        subscribers = Map.copyOf(next);
    }

    /** The integrations subscribed to {@code channel} now, by name. */
    public List<String> subscribers(String channel) {
        return subscribers.getOrDefault(channel, List.of());
    }

    /**
     * Publishes {@code payload} (the publisher's message after its steps) to the channel of {@code target}: validated against
     * the schema version the target publishes, then a copy into each subscriber's inbox. A violation is a dead letter of
     * the publisher with each violation's JSON pointer and rule; a copy whose derived key holds another body is one too. While
     * a subscriber's inbox refuses (journal down, queue full), it offers again every second: the copies already accepted are
     * duplicates the second time.
     *
     * @param published receives the message id of each subscriber's copy, for the publisher's lineage
     */
    CompletionStage<TargetOutcome> publish(String publisher, IntegrationDelivery.Target target, Envelope envelope, byte[] bytes,
                                           JsonNode payload, List<Attempt> earlier, Consumer<List<String>> published) {
        ChannelSettings.Publish channel = target.channel();
        String name = channel.channel().name();
        String system = "channel:" + name;
        long started = System.currentTimeMillis();
        String violation = violation(channel, payload);
        if (violation != null) {
            return done(outcome(target, system, Status.DEAD_LETTERED, SCHEMA_ERROR, violation, earlier, started));
        }
        List<String> names = subscribers(name);
        if (names.isEmpty()) {
            return done(outcome(target, system, Status.FILTERED, "filtered", "channel " + name + " has no subscribers", earlier, started));
        }
        Map<String, String> headers = new HashMap<>(envelope.headers());
        headers.put(CHANNEL, name);
        headers.put(VERSION, Integer.toString(channel.version()));
        headers.put(PUBLISHER, publisher);
        String key = publisher + "/" + target.name() + "/" + envelope.idempotencyKey();
        Map<String, Envelope> copies = new LinkedHashMap<>();
        for (String subscriber : names) {
            Integrations.Revision revision = integrations.accepting(subscriber);
            copies.put(subscriber, Envelope.builder().messageId(MessageIds.next()).integration(subscriber).idempotencyKey(key)
                    .receivedAt(System.currentTimeMillis()).contentType("application/json").raw(bytes).headers(Map.copyOf(headers))
                    .revision(revision.id()).mappings(revision.mappings()).parentId(envelope.messageId()).firstStep(0).build());
        }
        return new Offer(target, system, copies, earlier, started, published).next();
    }

    /** Offers the copies not yet durable; settles once every one is, or one conflicts. */
    private final class Offer {
        private final IntegrationDelivery.Target target;
        private final String system;
        private final Map<String, Envelope> waiting;
        private final Map<String, String> accepted = new TreeMap<>();
        private final List<Attempt> earlier;
        private final long started;
        private final Consumer<List<String>> published;

        Offer(IntegrationDelivery.Target target, String system, Map<String, Envelope> copies, List<Attempt> earlier, long started,
              Consumer<List<String>> published) {
            this.target = target;
            this.system = system;
            this.waiting = new LinkedHashMap<>(copies);
            this.earlier = earlier;
            this.started = started;
            this.published = published;
        }

        CompletionStage<TargetOutcome> next() {
            Map<String, CompletableFuture<IngestResult>> answers = new LinkedHashMap<>();
            waiting.forEach((subscriber, copy) -> answers.put(subscriber, inbox.accept(copy).toCompletableFuture()));
            return CompletableFuture.allOf(answers.values().toArray(CompletableFuture[]::new)).handle((x, e) -> answers)
                    .thenCompose(this::after);
        }

        private CompletionStage<TargetOutcome> after(Map<String, CompletableFuture<IngestResult>> answers) {
            String refused = null;
            for (Map.Entry<String, CompletableFuture<IngestResult>> answer : answers.entrySet()) {
                String subscriber = answer.getKey();
                IngestResult result = answer.getValue().isCompletedExceptionally() ? null : answer.getValue().join();
                if (result instanceof IngestResult.Accepted a) {
                    accepted.put(subscriber, a.messageId());
                    waiting.remove(subscriber);
                } else if (result instanceof IngestResult.Duplicate d) {
                    accepted.put(subscriber, d.messageId());
                    waiting.remove(subscriber);
                } else if (result instanceof IngestResult.Conflict c) {
                    published.accept(List.copyOf(accepted.values()));
                    return done(outcome(target, system, Status.DEAD_LETTERED, "channel-conflict", "subscriber " + subscriber
                            + " holds another message (" + c.messageId() + ") with the key " + waiting.get(subscriber).idempotencyKey()
                            + " and another body", earlier, started));
                } else {
                    refused = subscriber + ": " + result;
                }
            }
            if (!waiting.isEmpty()) {
                log.debug("channel {}: the inbox of {} refused ({}); offering again in {}", target.channel().channel().name(),
                        waiting.keySet(), refused, OFFER_AGAIN);
                Executor at = CompletableFuture.delayedExecutor(OFFER_AGAIN.toMillis(), TimeUnit.MILLISECONDS, executor);
                return CompletableFuture.supplyAsync(() -> null, at).thenCompose(y -> next());
            }
            published.accept(List.copyOf(accepted.values()));
            return done(outcome(target, system, Status.DELIVERED, "", "", earlier, started));
        }
    }

    private static TargetOutcome outcome(IntegrationDelivery.Target target, String system, Status status, String errorClass,
                                         String detail, List<Attempt> earlier, long started) {
        List<Attempt> history = new ArrayList<>(earlier);
        history.add(new Attempt(history.size() + 1, started, System.currentTimeMillis() - started, errorClass, detail));
        return new TargetOutcome(target.name(), system, status, history.size(), errorClass, detail, List.copyOf(history));
    }

    /**
     * Why {@code payload} may not be published as {@code channel}'s version, or null when it may: each violation of the
     * version's schema with its JSON pointer and rule. The pipeline tests ({@code junction-server test}) use it too.
     */
    public static String violation(ChannelSettings.Publish channel, JsonNode payload) {
        Set<ValidationMessage> errors = channel.schema().schema().validate(payload);
        return errors.isEmpty() ? null : "channel " + channel.channel().name() + " v" + channel.version() + " ("
                + channel.schema().file().getFileName() + "): " + Pipeline.describe(errors, true);
    }

    private static <T> CompletionStage<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
