package dev.junction.connectors.nats;

import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.SinkContext;
import dev.junction.connectors.api.SinkFactory;
import dev.junction.connectors.api.SinkInstance;
import java.time.Duration;
import java.util.List;

/**
 * The sink of a target on a {@code nats} system: publishes each message to a subject a stream captures, with
 * {@code Nats-Msg-Id} = the idempotency key (the stream drops a second publish with the same id within its duplicate
 * window), and succeeds only on the stream's publish acknowledgement. Stateless; {@link #create} opens nothing.
 */
final class NatsSinkFactory implements SinkFactory {

    static final ConfigField SUBJECT = ConfigField.string("subject").required()
            .description("The subject every message is published to; a JetStream stream must capture it.")
            .example("erp.orders.created")
            .check((String s) -> !s.isBlank() && s.chars().noneMatch(c -> c <= ' ' || c == '*' || c == '>') && !s.startsWith(".")
                    && !s.endsWith(".") && !s.contains(".."), "must be a subject without wildcards or spaces");

    static final ConfigField HEADERS = ConfigField.stringList("headers").defaultValue(List.of())
            .description("Names of the message's headers (kept from its source, such as traceparent) to carry as NATS headers. "
                    + "junction-message-id and junction-integration are always set.")
            .example("[\"traceparent\"]");

    static final ConfigField PUBLISH_TIMEOUT = ConfigField.duration("publish-timeout").defaultValue("10s")
            .description("How long to wait for the stream's acknowledgement before the attempt counts as failed (and is retried).")
            .check((Duration d) -> d.toMillis() > 0, "must be positive");

    static final ConfigSpec SPEC = ConfigSpec.of(
            "Publishes each message to a subject captured by a JetStream stream, with Nats-Msg-Id = the idempotency key; an "
                    + "attempt succeeds on the stream's acknowledgement.",
            SUBJECT, HEADERS, PUBLISH_TIMEOUT);

    @Override
    public ConfigSpec spec() {
        return SPEC;
    }

    @Override
    public SinkInstance create(SinkContext context) {
        var s = context.settings();
        return new NatsSink(NatsSystem.from(context.systemConfig()), context, s.getString("subject"), s.getStringList("headers"),
                s.getDuration("publish-timeout"));
    }
}
