package dev.junction.connectors.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The steps every queue source takes with one received message, written once: read the body as JSON, find the key with the
 * source's {@link KeyRule}, hand the message to the {@link Ingestor}, and turn the answer into what the broker is to be told.
 * What a source does with an {@link Outcome} is its own (an ack, a nack with requeue, a PUBACK held back, a nak with delay);
 * a message it cannot use comes back as {@link Outcome.Unusable}, so that a source with a broker-side dead-letter place can
 * send it there, and any other records it with {@link #record} (a dead letter of the integration with its raw bytes).
 *
 * <p>Immutable and thread-safe; make one per source.
 */
public final class Intake {
    /** The shortest and longest a refused message waits before it is offered again, whatever the refusal asked. */
    public static final Duration MIN_BACKOFF = Duration.ofMillis(200);
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the broker is to be told about one message. */
    public sealed interface Outcome {
        /** The inbox holds it (accepted, a duplicate, or recorded as a dead letter): acknowledge it. */
        record Acknowledge() implements Outcome {}

        /** The inbox refused it for now: offer it again after {@code after} (already within the back-off bounds). */
        record Retry(Duration after) implements Outcome {}

        /**
         * It cannot become a message: no usable key ({@code invalid-key}), a body that is not JSON ({@code invalid-body}), or a
         * key accepted before with another body ({@code conflict}).
         */
        record Unusable(String errorClass, String reason) implements Outcome {}
    }

    /**
     * A received message as its source sees it.
     *
     * @param body        the bytes exactly as received
     * @param contentType their media type ({@code application/json} when the protocol has none)
     * @param kept        source metadata to keep with the message (small)
     * @param header      a header or property by name, case-insensitively where the protocol is
     * @param natives     the values of the source's native keys by name; empty for none
     */
    public record Received(byte[] body, String contentType, Map<String, String> kept, Function<String, Optional<String>> header,
                           Function<String, Optional<String>> natives) {}

    private static final Outcome ACKNOWLEDGE = new Outcome.Acknowledge();

    private final Ingestor ingestor;
    private final KeyRule keys;

    public Intake(Ingestor ingestor, KeyRule keys) {
        this.ingestor = ingestor;
        this.keys = keys;
    }

    /** Reads, keys and ingests {@code message}; never completes exceptionally. */
    public CompletionStage<Outcome> take(Received message) {
        JsonNode json;
        try {
            json = JSON.readTree(message.body());
        } catch (IOException e) {
            return done(new Outcome.Unusable("invalid-body", "the body is not JSON: " + e.getMessage().lines().findFirst().orElse("")));
        }
        if (json == null || json.isMissingNode()) {
            return done(new Outcome.Unusable("invalid-body", "the body is empty"));
        }
        KeyRule.Found key = keys.find(new KeyRule.Message(message.header(), message.natives(), json));
        if (!key.isKey()) {
            return done(new Outcome.Unusable("invalid-key", key.problem()));
        }
        return ingestor.ingest(new InboundMessage(key.key(), message.contentType(), message.body(), json, message.kept()))
                .thenApply(result -> {
                    if (result.isDurable()) {
                        return ACKNOWLEDGE;
                    }
                    if (result instanceof IngestResult.Conflict conflict) {
                        return new Outcome.Unusable("conflict", "the idempotency key " + key.key()
                                + " was accepted before with another body (message " + conflict.messageId() + ")");
                    }
                    return new Outcome.Retry(backoff(((IngestResult.Unavailable) result).retryAfter()));
                });
    }

    /**
     * Records {@code message}, which {@code unusable} says cannot become a message, as a dead letter of the integration with
     * its raw bytes: {@link Outcome.Acknowledge} once that is durable, {@link Outcome.Retry} when the inbox refuses it for now.
     */
    public CompletionStage<Outcome> record(Outcome.Unusable unusable, Received message) {
        return ingestor.reject(new UnusableMessage(unusable.errorClass(), unusable.reason(), message.contentType(), message.body(),
                message.kept())).thenApply(result -> result instanceof IngestResult.Unavailable u ? new Outcome.Retry(backoff(u.retryAfter())) : ACKNOWLEDGE);
    }

    /** {@code retryAfter} within {@link #MIN_BACKOFF} and {@link #MAX_BACKOFF} (the minimum when null). */
    public static Duration backoff(Duration retryAfter) {
        return retryAfter == null || retryAfter.compareTo(MIN_BACKOFF) < 0 ? MIN_BACKOFF
                : retryAfter.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : retryAfter;
    }

    private static CompletionStage<Outcome> done(Outcome outcome) {
        return CompletableFuture.completedFuture(outcome);
    }
}
