package dev.junction.connectors.kafka;

import com.typesafe.config.Config;
import dev.junction.connectors.api.KeyRule;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** One {@code kafka} source's settings, read once from its validated block (defaults applied). Immutable. */
record KafkaSourceSettings(List<String> topics, String groupId, String startFrom, int maxInFlight, Duration commitInterval,
                           KeyRule keys) {

    static KafkaSourceSettings from(Config block) {
        return new KafkaSourceSettings(List.copyOf(block.getStringList("topics")), block.getString("group-id"),
                block.getString("start-from"), block.getInt("max-in-flight"), block.getDuration("commit-interval"),
                KeyRule.parse(block.getString("idempotency-key"), Set.of(KafkaSourceFactory.OFFSET, KafkaSourceFactory.RECORD_KEY)));
    }
}
