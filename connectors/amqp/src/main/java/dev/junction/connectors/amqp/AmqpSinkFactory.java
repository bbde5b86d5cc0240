package dev.junction.connectors.amqp;

import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.SinkContext;
import dev.junction.connectors.api.SinkFactory;
import dev.junction.connectors.api.SinkInstance;
import java.time.Duration;
import java.util.List;

/**
 * The sink of a target on an {@code amqp} system: publishes each message to an exchange, persistent, with the idempotency key
 * as its {@code message-id}, and succeeds only on the broker's publisher confirm. Stateless; {@link #create} opens nothing.
 */
final class AmqpSinkFactory implements SinkFactory {

    static final ConfigField EXCHANGE = ConfigField.string("exchange").required()
            .description("The exchange to publish to; \"\" is the default exchange (routing-key is then a queue's name).")
            .example("erp")
            .check((String e) -> e.length() <= 255, "must be at most 255 characters");

    static final ConfigField ROUTING_KEY = ConfigField.string("routing-key").required()
            .description("The routing key of every message.")
            .example("orders.created")
            .check((String k) -> k.length() <= 255, "must be at most 255 characters");

    static final ConfigField MANDATORY = ConfigField.bool("mandatory").defaultValue(true)
            .description("A message no queue is bound for is returned by the broker and dead-lettered as unroutable; off: the "
                    + "broker drops it silently.");

    static final ConfigField HEADERS = ConfigField.stringList("headers").defaultValue(List.of())
            .description("Names of the message's headers (kept from its source, such as traceparent or amqp-correlation-id) "
                    + "to carry as AMQP headers. junction-message-id and junction-integration are always set.")
            .example("[\"traceparent\"]");

    static final ConfigField CONFIRM_TIMEOUT = ConfigField.duration("confirm-timeout").defaultValue("10s")
            .description("How long to wait for the broker's confirm before the attempt counts as failed (and is retried).")
            .check((Duration d) -> d.toMillis() > 0, "must be positive");

    static final ConfigSpec SPEC = ConfigSpec.of(
            "Publishes each message to an exchange (persistent, message-id = the idempotency key); an attempt succeeds on the "
                    + "broker's publisher confirm.",
            EXCHANGE, ROUTING_KEY, MANDATORY, HEADERS, CONFIRM_TIMEOUT);

    @Override
    public ConfigSpec spec() {
        return SPEC;
    }

    @Override
    public SinkInstance create(SinkContext context) {
        var s = context.settings();
        return new AmqpSink(AmqpSystem.from(context.systemConfig()), context, s.getString("exchange"), s.getString("routing-key"),
                s.getBoolean("mandatory"), s.getStringList("headers"), s.getDuration("confirm-timeout"));
    }
}
