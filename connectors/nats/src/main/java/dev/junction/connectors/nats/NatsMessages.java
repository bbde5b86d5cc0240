package dev.junction.connectors.nats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.connectors.api.InboundMessage;
import dev.junction.connectors.api.IngestResult;
import dev.junction.connectors.api.KeyRule;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.UnusableMessage;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
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
 * What becomes of one JetStream message: it is read (key, JSON body) and handed to the inbox; the answer says whether it is
 * acknowledged or offered again later. A message the source cannot use (no usable key, a body that is not JSON, a key reused
 * with another body) goes into the integration's dead letters with its raw bytes ({@code Ingestor.reject}) and is then
 * acknowledged: an operator sees it. Stateless apart from its settings; thread-safe.
 */
final class NatsMessages {
    private static final Logger log = LoggerFactory.getLogger(NatsMessages.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration MIN_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    /** {@code retryIn} null: acknowledge; otherwise the inbox refused the message for now: offer it again after that long. */
    record Verdict(Duration retryIn) {
        static final Verdict ACK = new Verdict(null);

        boolean acknowledge() {
            return retryIn == null;
        }

        static Verdict retry(Duration retryAfter) {
            return new Verdict(retryAfter == null || retryAfter.compareTo(MIN_BACKOFF) < 0 ? MIN_BACKOFF
                    : retryAfter.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : retryAfter);
        }
    }

    private final NatsSourceSettings settings;
    private final SourceContext context;

    NatsMessages(NatsSourceSettings settings, SourceContext context) {
        this.settings = settings;
        this.context = context;
    }

    CompletionStage<Verdict> take(Message message) {
        Map<String, String> kept = kept(message);
        String contentType = header(message, "Content-Type").orElse("application/json");
        byte[] body = message.getData() == null ? new byte[0] : message.getData();
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (IOException e) {
            return unusable("invalid-body", "the body is not JSON: " + e.getMessage().lines().findFirst().orElse(""), message, contentType, body, kept);
        }
        if (json == null || json.isMissingNode()) {
            return unusable("invalid-body", "the body is empty", message, contentType, body, kept);
        }
        KeyRule.Found key = settings.keys().find(new KeyRule.Message(name -> header(message, name),
                name -> header(message, "Nats-Msg-Id"), json));
        if (!key.isKey()) {
            return unusable("invalid-key", key.problem(), message, contentType, body, kept);
        }
        return context.ingestor().ingest(new InboundMessage(key.key(), contentType, body, json, kept)).thenCompose(result -> {
            if (result.isDurable()) {
                return CompletableFuture.completedFuture(Verdict.ACK);
            }
            if (result instanceof IngestResult.Conflict conflict) {
                return unusable("conflict", "the idempotency key " + key.key() + " was accepted before with another body (message "
                        + conflict.messageId() + ")", message, contentType, body, kept);
            }
            return CompletableFuture.completedFuture(Verdict.retry(((IngestResult.Unavailable) result).retryAfter()));
        });
    }

    private CompletionStage<Verdict> unusable(String errorClass, String reason, Message message, String contentType, byte[] body,
                                              Map<String, String> kept) {
        log.warn("{}: a message of stream {} (subject {}) is recorded as a dead letter: {}", context.integration(), settings.stream(),
                message.getSubject(), reason);
        return context.ingestor().reject(new UnusableMessage(errorClass, reason, contentType, body, kept))
                .thenApply(result -> result instanceof IngestResult.Unavailable u ? Verdict.retry(u.retryAfter()) : Verdict.ACK);
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
