package dev.junction.connectors.nats;

import com.typesafe.config.Config;
import dev.junction.connectors.api.KeyRule;
import java.time.Duration;
import java.util.Set;

/** One {@code nats} source's settings, read once from its validated block (defaults applied). Immutable. */
record NatsSourceSettings(String stream, String consumer, boolean createConsumer, String filterSubject, Duration ackWait,
                          int maxDeliver, int batch, KeyRule keys) {

    static NatsSourceSettings from(Config block) {
        return new NatsSourceSettings(block.getString("stream"), block.getString("consumer"), block.getBoolean("create-consumer"),
                block.getString("filter-subject"), block.getDuration("ack-wait"), block.getInt("max-deliver"), block.getInt("batch"),
                KeyRule.parse(block.getString("idempotency-key"), Set.of(NatsSourceFactory.MSG_ID)));
    }
}
