package dev.junction.connectors.kafka;

import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.KeyRule;
import dev.junction.connectors.api.SinkContext;
import dev.junction.connectors.api.SinkFactory;
import dev.junction.connectors.api.SinkInstance;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The sink of a target on a {@code kafka} system: produces each message to a topic with an idempotent producer
 * ({@code enable.idempotence}, {@code acks=all}), the idempotency key in the record header {@code idempotency-key}, and
 * succeeds only on the broker's acknowledgement. Stateless; {@link #create} opens nothing.
 */
final class KafkaSinkFactory implements SinkFactory {
    /** The record key is the message's idempotency key. */
    static final String IDEMPOTENCY_KEY = "idempotency-key";

    static final ConfigField TOPIC = ConfigField.string("topic").required()
            .description("The topic every message is produced to. It must exist.")
            .example("erp.orders")
            .check(KafkaSourceFactory::isTopic, "must be a topic name of letters, digits, '.', '_' or '-'");

    static final ConfigField KEY = ConfigField.string("key").defaultValue(IDEMPOTENCY_KEY)
            .description("The record key, which picks the partition (and so the order consumers see): idempotency-key, or "
                    + "json:<JSON pointer> for a value of the message (a customer id keeps a customer's messages in order). "
                    + "A message without that value fails as permanent.")
            .example("json:/customer/id")
            .check((String k) -> k.equals(IDEMPOTENCY_KEY) || k.startsWith("json:"), "must be idempotency-key or json:<JSON pointer>")
            .check((String k) -> !k.startsWith("json:") || isPointer(k), KeyRule.POINTER_REASON);

    static final ConfigField HEADERS = ConfigField.stringList("headers").defaultValue(List.of())
            .description("Names of the message's headers (kept from its source, such as traceparent) to carry as record headers. "
                    + "idempotency-key, junction-message-id and junction-integration are always set.")
            .example("[\"traceparent\"]");

    static final ConfigField SEND_TIMEOUT = ConfigField.duration("send-timeout").defaultValue("10s")
            .description("How long one attempt may take, waiting for the topic's metadata and the acknowledgement of every "
                    + "in-sync replica, before it counts as failed (and is retried).")
            .check((Duration d) -> d.toMillis() >= 1000, "must be at least 1s");

    static final ConfigSpec SPEC = ConfigSpec.of(
            "Produces each message to a topic with an idempotent producer (acks=all), the idempotency key in the record header "
                    + "idempotency-key; an attempt succeeds on the broker's acknowledgement.",
            TOPIC, KEY, HEADERS, SEND_TIMEOUT);

    @Override
    public ConfigSpec spec() {
        return SPEC;
    }

    @Override
    public SinkInstance create(SinkContext context) {
        var s = context.settings();
        String key = s.getString("key");
        KeyRule recordKey = key.equals(IDEMPOTENCY_KEY) ? null : KeyRule.parse(key, Set.of());
        return new KafkaSink(KafkaSystem.from(context.systemConfig()), context, s.getString("topic"), recordKey,
                s.getStringList("headers"), s.getDuration("send-timeout"));
    }

    private static boolean isPointer(String spec) {
        try {
            KeyRule.parse(spec, Set.of());
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
