package dev.junction.connectors.mqtt;

import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.SinkContext;
import dev.junction.connectors.api.SinkFactory;
import dev.junction.connectors.api.SinkInstance;
import java.time.Duration;
import java.util.List;

/**
 * The sink of a target on an {@code mqtt} system: publishes each message to a topic with QoS 1 (or 2) and the idempotency key
 * as an MQTT 5 user property, and succeeds only on the broker's acknowledgement. Stateless; {@link #create} opens nothing.
 */
final class MqttSinkFactory implements SinkFactory {

    static final ConfigField TOPIC = ConfigField.string("topic").required()
            .description("The topic every message is published to (no wildcards).")
            .example("erp/orders")
            .check((String t) -> !t.isEmpty() && t.chars().noneMatch(c -> c == '+' || c == '#' || c == 0) && !t.startsWith("$"),
                    "must be a topic name: not empty, no + or #, not starting with $");

    static final ConfigField QOS = ConfigField.integer("qos").defaultValue(1)
            .description("The publish's quality of service: 1 (the attempt succeeds on PUBACK) or 2 (on PUBCOMP).")
            .check((Integer q) -> q == 1 || q == 2, "must be 1 or 2: with QoS 0 the broker never confirms");

    static final ConfigField RETAIN = ConfigField.bool("retain").defaultValue(false)
            .description("Publish retained: the broker keeps the last message of the topic for subscribers that come later.");

    static final ConfigField KEY_PROPERTY = ConfigField.string("key-property").defaultValue("idempotency-key")
            .description("The user property that carries the idempotency key (the same on every retry), for the consumer "
                    + "to apply each effect once.")
            .check((String k) -> !k.isBlank(), "must not be blank");

    static final ConfigField HEADERS = ConfigField.stringList("headers").defaultValue(List.of())
            .description("Names of the message's headers (kept from its source, such as traceparent) to carry as user "
                    + "properties. junction-message-id and junction-integration are always set.")
            .example("[\"traceparent\"]");

    static final ConfigField PUBLISH_TIMEOUT = ConfigField.duration("publish-timeout").defaultValue("10s")
            .description("How long to wait for the broker's acknowledgement before the attempt counts as failed (and is retried).")
            .check((Duration d) -> d.toMillis() > 0, "must be positive");

    static final ConfigSpec SPEC = ConfigSpec.of(
            "Publishes each message to a topic (QoS 1 or 2, the idempotency key as a user property); an attempt succeeds on "
                    + "the broker's acknowledgement.",
            TOPIC, QOS, RETAIN, KEY_PROPERTY, HEADERS, PUBLISH_TIMEOUT);

    @Override
    public ConfigSpec spec() {
        return SPEC;
    }

    @Override
    public SinkInstance create(SinkContext context) {
        var s = context.settings();
        return new MqttSink(MqttSystem.from(context.systemConfig()), context, new MqttSink.Settings(s.getString("topic"),
                s.getInt("qos"), s.getBoolean("retain"), s.getString("key-property"), s.getStringList("headers"),
                s.getDuration("publish-timeout")));
    }
}
