package dev.junction.connectors.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What becomes of one received message: it is read (key, JSON body) and handed to the inbox; the answer says whether the
 * broker may be told (PUBACK) or the message must be offered again later. MQTT has no way to hand a message back to the
 * broker, so a message the source cannot use (no usable key, a body that is not JSON, a key reused with another body) goes
 * into the integration's dead letters with its raw bytes ({@code Ingestor.reject}) and is then acknowledged: an operator
 * sees it. Stateless apart from its settings; thread-safe.
 */
final class MqttMessages {
    private static final Logger log = LoggerFactory.getLogger(MqttMessages.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration MIN_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    /**
     * The inbox's answer for the broker: {@code retryIn} null means acknowledge; otherwise offer the message to the inbox
     * again after that long (the inbox refused it for now).
     */
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

    private final MqttSourceSettings settings;
    private final SourceContext context;

    MqttMessages(MqttSourceSettings settings, SourceContext context) {
        this.settings = settings;
        this.context = context;
    }

    CompletionStage<Verdict> take(String topic, MqttMessage message) {
        MqttProperties properties = message.getProperties();
        Map<String, String> kept = kept(topic, message);
        String contentType = properties != null && properties.getContentType() != null ? properties.getContentType() : "application/json";
        byte[] body = message.getPayload();
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (IOException e) {
            return unusable("invalid-body", "the body is not JSON: " + e.getMessage().lines().findFirst().orElse(""), topic, contentType, body, kept);
        }
        if (json == null || json.isMissingNode()) {
            return unusable("invalid-body", "the body is empty", topic, contentType, body, kept);
        }
        KeyRule.Found key = settings.keys().find(new KeyRule.Message(name -> userProperty(properties, name), name -> Optional.empty(), json));
        if (!key.isKey()) {
            return unusable("invalid-key", key.problem(), topic, contentType, body, kept);
        }
        return context.ingestor().ingest(new InboundMessage(key.key(), contentType, body, json, kept)).thenCompose(result -> {
            if (result.isDurable()) {
                return CompletableFuture.completedFuture(Verdict.ACK);
            }
            if (result instanceof IngestResult.Conflict conflict) {
                return unusable("conflict", "the idempotency key " + key.key() + " was accepted before with another body (message "
                        + conflict.messageId() + ")", topic, contentType, body, kept);
            }
            return CompletableFuture.completedFuture(Verdict.retry(((IngestResult.Unavailable) result).retryAfter()));
        });
    }

    private CompletionStage<Verdict> unusable(String errorClass, String reason, String topic, String contentType, byte[] body,
                                              Map<String, String> kept) {
        log.warn("{}: a message on topic {} is recorded as a dead letter: {}", context.integration(), topic, reason);
        return context.ingestor().reject(new UnusableMessage(errorClass, reason, contentType, body, kept))
                .thenApply(result -> result instanceof IngestResult.Unavailable u ? Verdict.retry(u.retryAfter()) : Verdict.ACK);
    }

    /** What is kept with the message: where it came from and its identifying properties. */
    private static Map<String, String> kept(String topic, MqttMessage message) {
        Map<String, String> kept = new HashMap<>();
        kept.put("mqtt-topic", topic);
        if (message.isRetained()) {
            kept.put("mqtt-retained", "true");
        }
        MqttProperties properties = message.getProperties();
        if (properties != null) {
            if (properties.getContentType() != null) {
                kept.put("content-type", properties.getContentType());
            }
            if (properties.getResponseTopic() != null) {
                kept.put("mqtt-response-topic", properties.getResponseTopic());
            }
        }
        return kept;
    }

    /** An MQTT 5 user property by name (case-insensitively), the first when it repeats. */
    private static Optional<String> userProperty(MqttProperties properties, String name) {
        if (properties == null || properties.getUserProperties() == null) {
            return Optional.empty();
        }
        return properties.getUserProperties().stream().filter(p -> p.getKey().equalsIgnoreCase(name) && p.getValue() != null)
                .map(UserProperty::getValue).findFirst();
    }
}
