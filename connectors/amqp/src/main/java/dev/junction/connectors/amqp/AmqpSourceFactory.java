package dev.junction.connectors.amqp;

import com.typesafe.config.Config;
import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigProblem;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.KeyRule;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceFactory;
import dev.junction.connectors.api.SourceInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code amqp} source kind: consumes one queue, on every node of the cluster (the broker spreads deliveries over the
 * consumers). Stateless and shared; {@link #create} only builds the {@link AmqpSource}, which connects when started.
 */
final class AmqpSourceFactory implements SourceFactory {
    /** The native key: the message's {@code message-id} property. */
    static final String MESSAGE_ID = "message-id";

    static final ConfigField QUEUE = ConfigField.string("queue").required()
            .description("The queue to consume. It must exist unless declare { } is given.")
            .example("shop.orders")
            .check((String q) -> !q.isBlank() && q.length() <= 255, "must be a queue name of 1 to 255 characters");

    static final ConfigField PREFETCH = ConfigField.integer("prefetch").defaultValue(256)
            .description("Deliveries the broker sends before the first is acknowledged: the most messages in Junction's hands "
                    + "at once per node.")
            .check((Integer n) -> n >= 1 && n <= 65_535, "must be from 1 to 65535");

    static final ConfigField IDEMPOTENCY_KEY = KeyRule.field("idempotency-key", MESSAGE_ID).defaultValue(MESSAGE_ID);

    static final ConfigField BROKER_DEAD_LETTERS = ConfigField.bool("broker-dead-letters").defaultValue(false)
            .description("The queue has a dead-letter exchange (x-dead-letter-exchange, or a policy): a message without a usable "
                    + "key or with a body that is not JSON is rejected to it. Off: such a message is acknowledged and recorded as "
                    + "a dead letter of the integration with its raw bytes. Implied by declare.dead-letter-exchange.");

    static final ConfigSpec DECLARE = ConfigSpec.of(
            "Declare the queue (and an exchange with bindings) when the source starts; without this block nothing is declared.",
            ConfigField.bool("durable").defaultValue(true).description("Declare durable (surviving a broker restart)."),
            ConfigField.oneOf("queue-type", "classic", "quorum").defaultValue("classic")
                    .description("The queue's type (x-queue-type); quorum queues are replicated."),
            ConfigField.string("exchange").defaultValue("")
                    .description("An exchange to declare and bind the queue to; empty: none."),
            ConfigField.oneOf("exchange-type", "direct", "fanout", "topic", "headers").defaultValue("topic")
                    .description("The type of that exchange."),
            ConfigField.stringList("routing-keys").defaultValue(List.of())
                    .description("Binding keys from the exchange to the queue.").example("[\"orders.#\"]"),
            ConfigField.string("dead-letter-exchange").defaultValue("")
                    .description("Declare the queue with this dead-letter exchange (x-dead-letter-exchange); unusable messages "
                            + "are rejected to it."));

    static final ConfigSpec SPEC = ConfigSpec.of(
            "Consumes a queue; each delivery is acknowledged only once the inbox holds it, and released back to the queue "
                    + "when the inbox refuses it.",
            QUEUE, PREFETCH, IDEMPOTENCY_KEY, BROKER_DEAD_LETTERS, ConfigField.object("declare", DECLARE));

    @Override
    public ConfigSpec spec() {
        return SPEC;
    }

    @Override
    public List<ConfigProblem> validate(Config systemConfig, Config settings, String settingsPath) {
        List<ConfigProblem> problems = new ArrayList<>();
        if (settings.hasPath("declare")) {
            Config declare = settings.getConfig("declare");
            if (!declare.getStringList("routing-keys").isEmpty() && declare.getString("exchange").isEmpty()) {
                problems.add(ConfigProblem.of(declare.getValue("routing-keys"), settingsPath + ".declare.routing-keys",
                        "binds the queue to an exchange: set declare.exchange too"));
            }
        }
        return problems;
    }

    /** One consumer per queue and node; two sources on one queue would split its messages between two integrations. */
    @Override
    public Set<String> claims(Config systemConfig, Config settings) {
        return Set.of("queue " + settings.getString("queue") + " of " + AmqpSystem.from(systemConfig).address());
    }

    @Override
    public SourceInstance create(SourceContext context) {
        return new AmqpSource(AmqpSourceSettings.from(context.settings()), AmqpSystem.from(context.systemConfig()), context);
    }
}
