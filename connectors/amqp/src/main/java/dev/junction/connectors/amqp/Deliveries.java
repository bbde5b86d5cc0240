package dev.junction.connectors.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import dev.junction.connectors.api.Intake;
import dev.junction.connectors.api.SourceContext;
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
            return new Verdict(Action.RELEASE, Intake.backoff(retryAfter));
        }
    }

    private final AmqpSourceSettings settings;
    private final SourceContext context;
    private final Intake intake;

    Deliveries(AmqpSourceSettings settings, SourceContext context) {
        this.settings = settings;
        this.context = context;
        this.intake = new Intake(context.ingestor(), settings.keys());
    }

    CompletionStage<Verdict> take(Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        Intake.Received received = new Intake.Received(body, properties.getContentType() == null ? "application/json"
                : properties.getContentType(), kept(envelope, properties), name -> header(properties, name),
                name -> Optional.ofNullable(properties.getMessageId()));
        return intake.take(received).thenCompose(outcome -> {
            if (outcome instanceof Intake.Outcome.Unusable unusable) {
                return unusable(unusable, received);
            }
            return CompletableFuture.completedFuture(outcome instanceof Intake.Outcome.Retry retry
                    ? Verdict.release(retry.after(), "refused") : Verdict.ack());
        });
    }

    private CompletionStage<Verdict> unusable(Intake.Outcome.Unusable unusable, Intake.Received received) {
        if (settings.brokerDeadLetters()) {
            log.warn("{}: a message of queue {} goes to its dead-letter exchange: {}", context.integration(), settings.queue(), unusable.reason());
            return CompletableFuture.completedFuture(Verdict.reject());
        }
        log.warn("{}: a message of queue {} is recorded as a dead letter: {}", context.integration(), settings.queue(), unusable.reason());
        return intake.record(unusable, received).thenApply(outcome -> outcome instanceof Intake.Outcome.Retry retry
                ? Verdict.release(retry.after(), "refused") : Verdict.ack());
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
