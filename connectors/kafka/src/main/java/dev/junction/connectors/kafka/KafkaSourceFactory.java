package dev.junction.connectors.kafka;

import com.typesafe.config.Config;
import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.KeyRule;
import dev.junction.connectors.api.Placement;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceFactory;
import dev.junction.connectors.api.SourceInstance;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The {@code kafka} source kind: a member of a consumer group on every node of the cluster (Kafka spreads the topics'
 * partitions over the members). Stateless and shared; {@link #create} only builds the {@link KafkaSource}.
 */
final class KafkaSourceFactory implements SourceFactory {
    /**
     * The default native key: {@code <topic>-<partition>-<offset>}, where the record sits in the log. It is the same on every
     * redelivery of the record (after a crash, a rebalance, a refusal), which is what the inbox must recognise; it differs
     * for two records a producer wrote twice, and changes if the topic is deleted and created again.
     */
    static final String OFFSET = "topic-partition-offset";
    /** The record's key as UTF-8 text: for topics whose key is a message id (not an entity id, which repeats by design). */
    static final String RECORD_KEY = "record-key";

    static final ConfigField TOPICS = ConfigField.stringList("topics").required()
            .description("The topics to consume. They must exist.")
            .example("[\"orders\"]")
            .check((List<String> t) -> !t.isEmpty() && t.stream().allMatch(KafkaSourceFactory::isTopic),
                    "must name at least one topic, each of letters, digits, '.', '_' or '-'");

    static final ConfigField GROUP_ID = ConfigField.string("group-id").required()
            .description("The consumer group: every node joins it, and its committed offsets are the source's position.")
            .example("junction-orders")
            .check((String g) -> !g.isBlank() && g.length() <= 255, "must not be blank");

    static final ConfigField START_FROM = ConfigField.oneOf("start-from", "earliest", "latest").defaultValue("earliest")
            .description("Where a group without a committed offset starts in a partition: earliest (everything the topic "
                    + "holds) or latest (only what comes after the group first joins).");

    static final ConfigField MAX_IN_FLIGHT = ConfigField.integer("max-in-flight").defaultValue(1000)
            .description("Records handed to the inbox and not yet answered, at most, per node; fetching pauses above it.")
            .check((Integer n) -> n >= 1 && n <= 100_000, "must be from 1 to 100000");

    static final ConfigField COMMIT_INTERVAL = ConfigField.duration("commit-interval").defaultValue("1s")
            .description("How often the offsets of what the inbox holds are committed. A crash delivers again what came "
                    + "after the last commit; the inbox recognises it as a duplicate.")
            .check((Duration d) -> d.toMillis() >= 10, "must be at least 10ms");

    static final ConfigField IDEMPOTENCY_KEY = KeyRule.field("idempotency-key", OFFSET, RECORD_KEY).defaultValue(OFFSET);

    static final ConfigSpec SPEC = ConfigSpec.of(
            "Consumes topics as a member of a consumer group; a partition's offset is committed only up to the first record the "
                    + "inbox does not hold yet, and a partition whose record the inbox refuses pauses and reads it again later.",
            TOPICS, GROUP_ID, START_FROM, MAX_IN_FLIGHT, COMMIT_INTERVAL, IDEMPOTENCY_KEY);

    @Override
    public ConfigSpec spec() {
        return SPEC;
    }

    @Override
    public Set<String> claims(Config systemConfig, Config settings) {
        return Set.of("consumer group " + settings.getString("group-id") + " on " + KafkaSystem.from(systemConfig).address());
    }

    @Override
    public Placement placement(Config systemConfig, Config settings) {
        return Placement.EVERY_NODE;
    }

    @Override
    public SourceInstance create(SourceContext context) {
        return new KafkaSource(KafkaSourceSettings.from(context.settings()), KafkaSystem.from(context.systemConfig()), context);
    }

    static boolean isTopic(String topic) {
        return topic.length() <= 249 && topic.matches("[A-Za-z0-9._-]+") && !topic.equals(".") && !topic.equals("..");
    }
}
