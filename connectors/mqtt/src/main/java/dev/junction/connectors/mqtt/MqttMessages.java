package dev.junction.connectors.mqtt;

import dev.junction.connectors.api.Intake;
import dev.junction.connectors.api.SourceContext;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What becomes of one received message: {@link Intake} reads it (key, JSON body) and hands it to the inbox; the answer says
 * whether the broker may be told (PUBACK) or the message must be offered again later. MQTT has no way to hand a message back to the
 * broker, so a message the source cannot use (no usable key, a body that is not JSON, a key reused with another body) goes
 * into the integration's dead letters with its raw bytes ({@code Ingestor.reject}) and is then acknowledged: an operator
 * sees it. Stateless apart from its settings; thread-safe.
 */
final class MqttMessages {
    private static final Logger log = LoggerFactory.getLogger(MqttMessages.class);

    private final SourceContext context;
    private final Intake intake;

    MqttMessages(MqttSourceSettings settings, SourceContext context) {
        this.context = context;
        this.intake = new Intake(context.ingestor(), settings.keys());
    }

    /** {@link Intake.Outcome.Acknowledge} or {@link Intake.Outcome.Retry}: an unusable message is recorded first. */
    CompletionStage<Intake.Outcome> take(String topic, MqttMessage message) {
        MqttProperties properties = message.getProperties();
        String contentType = properties != null && properties.getContentType() != null ? properties.getContentType() : "application/json";
        Intake.Received received = new Intake.Received(message.getPayload(), contentType, kept(topic, message),
                name -> userProperty(properties, name), name -> Optional.empty());
        return intake.take(received).thenCompose(outcome -> {
            if (outcome instanceof Intake.Outcome.Unusable unusable) {
                log.warn("{}: a message on topic {} is recorded as a dead letter: {}", context.integration(), topic, unusable.reason());
                return intake.record(unusable, received);
            }
            return java.util.concurrent.CompletableFuture.completedFuture(outcome);
        });
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
