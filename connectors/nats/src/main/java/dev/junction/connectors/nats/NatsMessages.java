package dev.junction.connectors.nats;

import dev.junction.connectors.api.Intake;
import dev.junction.connectors.api.SourceContext;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What becomes of one JetStream message: {@link Intake} reads it (key, JSON body) and hands it to the inbox; the answer says whether it is
 * acknowledged or offered again later. A message the source cannot use (no usable key, a body that is not JSON, a key reused
 * with another body) goes into the integration's dead letters with its raw bytes ({@code Ingestor.reject}) and is then
 * acknowledged: an operator sees it. Stateless apart from its settings; thread-safe.
 */
final class NatsMessages {
    private static final Logger log = LoggerFactory.getLogger(NatsMessages.class);

    private final NatsSourceSettings settings;
    private final SourceContext context;
    private final Intake intake;

    NatsMessages(NatsSourceSettings settings, SourceContext context) {
        this.settings = settings;
        this.context = context;
        this.intake = new Intake(context.ingestor(), settings.keys());
    }

    /** {@link Intake.Outcome.Acknowledge} or {@link Intake.Outcome.Retry}: an unusable message is recorded first. */
    CompletionStage<Intake.Outcome> take(Message message) {
        Intake.Received received = new Intake.Received(message.getData() == null ? new byte[0] : message.getData(),
                header(message, "Content-Type").orElse("application/json"), kept(message), name -> header(message, name),
                name -> header(message, "Nats-Msg-Id"));
        return intake.take(received).thenCompose(outcome -> {
            if (outcome instanceof Intake.Outcome.Unusable unusable) {
                log.warn("{}: a message of stream {} (subject {}) is recorded as a dead letter: {}", context.integration(),
                        settings.stream(), message.getSubject(), unusable.reason());
                return intake.record(unusable, received);
            }
            return java.util.concurrent.CompletableFuture.completedFuture(outcome);
        });
    }

    /** What is kept with the message: where it came from and its identifying headers. */
    private static Map<String, String> kept(Message message) {
        Map<String, String> kept = new HashMap<>();
        kept.put("nats-subject", message.getSubject());
        if (message.isJetStream()) {
            kept.put("nats-stream-sequence", String.valueOf(message.metaData().streamSequence()));
        }
        header(message, "Nats-Msg-Id").ifPresent(id -> kept.put("nats-msg-id", id));
        header(message, "Content-Type").ifPresent(type -> kept.put("content-type", type));
        header(message, "traceparent").ifPresent(trace -> kept.put("traceparent", trace));
        return kept;
    }

    /** A header by name, case-insensitively, the first value when it repeats. */
    static Optional<String> header(Message message, String name) {
        Headers headers = message.getHeaders();
        if (headers == null) {
            return Optional.empty();
        }
        for (String key : headers.keySet()) {
            if (key.equalsIgnoreCase(name) && headers.getFirst(key) != null) {
                return Optional.of(headers.getFirst(key));
            }
        }
        return Optional.empty();
    }
}
