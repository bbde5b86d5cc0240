package dev.junction.connectors.amqp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import dev.junction.connectors.api.InboundMessage;
import dev.junction.connectors.api.IngestResult;
import dev.junction.connectors.api.KeyRule;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.UnusableMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What becomes of one delivery: it is read (key, JSON body), handed to the inbox, and the inbox's answer decides what the
 * channel is told. A delivery the source cannot use goes to the queue's dead-letter exchange when it has one (reject without
 * requeue), or else into the integration's dead letters with its raw bytes ({@code Ingestor.reject}) and is then acknowledged:
 * an operator sees it either way. Stateless apart from its settings; thread-safe.
 */
final class Deliveries {
    private static final Logger log = LoggerFactory.getLogger(Deliveries.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration MIN_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    /** What the channel is told. */
    enum Action { ACK, REJECT, RELEASE }

    /** {@code delay}: how long to hold a released delivery before it goes back to the queue. */
    record Verdict(Action action, Duration delay) {
        static Verdict ack() {
            return new Verdict(Action.ACK, Duration.ZERO);
        }

        static Verdict reject() {
            return new Verdict(Action.REJECT, Duration.ZERO);
        }

        static Verdict release(Duration retryAfter, String why) {
            Duration delay = retryAfter == null || retryAfter.compareTo(MIN_BACKOFF) < 0 ? MIN_BACKOFF
                    : retryAfter.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : retryAfter;
            return new Verdict(Action.RELEASE, delay);
        }
    }

    private final AmqpSourceSettings settings;
    private final SourceContext context;

    Deliveries(AmqpSourceSettings settings, SourceContext context) {
        this.settings = settings;
        this.context = context;
    }

    CompletionStage<Verdict> take(Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        Map<String, String> kept = kept(envelope, properties);
        String contentType = properties.getContentType() == null ? "application/json" : properties.getContentType();
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (IOException e) {
            return unusable("invalid-body", "the body is not JSON: " + e.getMessage().lines().findFirst().orElse(""), contentType, body, kept);
        }
        if (json == null || json.isMissingNode()) {
            return unusable("invalid-body", "the body is empty", contentType, body, kept);
        }
        KeyRule.Found key = settings.keys().find(new KeyRule.Message(name -> header(properties, name),
                name -> Optional.ofNullable(properties.getMessageId()), json));
        if (!key.isKey()) {
            return unusable("invalid-key", key.problem(), contentType, body, kept);
        }
        return context.ingestor().ingest(new InboundMessage(key.key(), contentType, body, json, kept)).thenCompose(result -> {
            if (result.isDurable()) {
                return CompletableFuture.completedFuture(Verdict.ack());
            }
            if (result instanceof IngestResult.Conflict conflict) {
                return unusable("conflict", "the idempotency key " + key.key() + " was accepted before with another body (message "
                        + conflict.messageId() + ")", contentType, body, kept);
            }
            IngestResult.Unavailable refused = (IngestResult.Unavailable) result;
            return CompletableFuture.completedFuture(Verdict.release(refused.retryAfter(), refused.reason()));
        });
    }

    private CompletionStage<Verdict> unusable(String errorClass, String reason, String contentType, byte[] body, Map<String, String> kept) {
        if (settings.brokerDeadLetters()) {
            log.warn("{}: a message of queue {} goes to its dead-letter exchange: {}", context.integration(), settings.queue(), reason);
            return CompletableFuture.completedFuture(Verdict.reject());
        }
        log.warn("{}: a message of queue {} is recorded as a dead letter: {}", context.integration(), settings.queue(), reason);
        return context.ingestor().reject(new UnusableMessage(errorClass, reason, contentType, body, kept))
                .thenApply(result -> result instanceof IngestResult.Unavailable u ? Verdict.release(u.retryAfter(), u.reason()) : Verdict.ack());
    }

    /** What is kept with the message: where it came from and its identifying properties. */
    private static Map<String, String> kept(Envelope envelope, AMQP.BasicProperties properties) {
        Map<String, String> kept = new HashMap<>();
        kept.put("amqp-exchange", envelope.getExchange());
        kept.put("amqp-routing-key", envelope.getRoutingKey());
        if (properties.getMessageId() != null) {
            kept.put("amqp-message-id", properties.getMessageId());
        }
        if (properties.getCorrelationId() != null) {
            kept.put("amqp-correlation-id", properties.getCorrelationId());
        }
        if (properties.getContentType() != null) {
            kept.put("content-type", properties.getContentType());
        }
        return kept;
    }

    /** An AMQP header by name (case-insensitively), as text. */
    private static Optional<String> header(AMQP.BasicProperties properties, String name) {
        if (properties.getHeaders() == null) {
            return Optional.empty();
        }
        return properties.getHeaders().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name) && e.getValue() != null)
                .map(e -> e.getValue().toString()).findFirst();
    }
}
