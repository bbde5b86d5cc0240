package dev.junction.connectors.nats;

import com.typesafe.config.Config;
import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.KeyRule;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceFactory;
import dev.junction.connectors.api.SourceInstance;
import java.time.Duration;
import java.util.Set;

/**
 * The {@code nats} source kind: a durable pull consumer on a JetStream stream, on every node of the cluster (the server spreads
 * the messages over the nodes' pulls). Stateless and shared; {@link #create} only builds the {@link NatsSource}.
 */
final class NatsSourceFactory implements SourceFactory {
    /** The native key: the message's {@code Nats-Msg-Id} header, the one JetStream deduplicates publishes by. */
    static final String MSG_ID = "nats-msg-id";

    private static final String NAME_CHECK = "must be a name without spaces, '.', '*', '>' or path separators";

    static final ConfigField STREAM = ConfigField.string("stream").required()
            .description("The JetStream stream to consume. It must exist.")
            .example("ORDERS")
            .check(NatsSourceFactory::isName, NAME_CHECK);

    static final ConfigField CONSUMER = ConfigField.string("consumer").required()
            .description("The durable consumer's name: its position in the stream, shared by every node.")
            .example("junction-orders")
            .check(NatsSourceFactory::isName, NAME_CHECK);

    static final ConfigField CREATE_CONSUMER = ConfigField.bool("create-consumer").defaultValue(true)
            .description("Create the durable consumer (explicit acks, the settings below) when it does not exist, and update it "
                    + "when they changed. Off: it must exist, with explicit acks.");

    static final ConfigField FILTER_SUBJECT = ConfigField.string("filter-subject").defaultValue("")
            .description("Only the stream's messages on this subject (wildcards allowed); empty: all. Used when the consumer "
                    + "is created.")
            .example("orders.created");

    static final ConfigField ACK_WAIT = ConfigField.duration("ack-wait").defaultValue("30s")
            .description("How long the server waits for an acknowledgement before it delivers a message again. Used when the "
                    + "consumer is created.")
            .check((Duration d) -> d.toSeconds() >= 1, "must be at least 1s");

    static final ConfigField MAX_DELIVER = ConfigField.integer("max-deliver").defaultValue(-1)
            .description("How often the server delivers a message before it gives up on it and publishes a MAX_DELIVERIES "
                    + "advisory; -1: for ever. A message refused by the inbox on its last delivery is held and offered again "
                    + "by Junction instead, so a journal outage never exhausts it. Used when the consumer is created.")
            .check((Integer n) -> n == -1 || n >= 1, "must be -1 or at least 1");

    static final ConfigField BATCH = ConfigField.integer("batch").defaultValue(256)
            .description("Messages pulled at once, and the most in Junction's hands per node.")
            .check((Integer n) -> n >= 1 && n <= 10_000, "must be from 1 to 10000");

    static final ConfigField IDEMPOTENCY_KEY = KeyRule.field("idempotency-key", MSG_ID).defaultValue(MSG_ID);

    static final ConfigSpec SPEC = ConfigSpec.of(
            "Consumes a JetStream stream through a durable pull consumer; each message is acknowledged only once the inbox holds "
                    + "it, and negatively acknowledged with a delay when the inbox refuses it.",
            STREAM, CONSUMER, CREATE_CONSUMER, FILTER_SUBJECT, ACK_WAIT, MAX_DELIVER, BATCH, IDEMPOTENCY_KEY);

    @Override
    public ConfigSpec spec() {
        return SPEC;
    }

    @Override
    public Set<String> claims(Config systemConfig, Config settings) {
        return Set.of("consumer " + settings.getString("consumer") + " of stream " + settings.getString("stream") + " on "
                + NatsSystem.from(systemConfig).address());
    }

    @Override
    public SourceInstance create(SourceContext context) {
        return new NatsSource(NatsSourceSettings.from(context.settings()), NatsSystem.from(context.systemConfig()), context);
    }

    static boolean isName(String name) {
        return !name.isBlank() && name.length() <= 255 && name.chars().noneMatch(c -> c <= ' ' || c == '.' || c == '*'
                || c == '>' || c == '/' || c == '\\');
    }
}
