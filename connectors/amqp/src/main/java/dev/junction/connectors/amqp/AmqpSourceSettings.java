package dev.junction.connectors.amqp;

import com.typesafe.config.Config;
import dev.junction.connectors.api.KeyRule;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One {@code amqp} source's settings, read once from its validated block (defaults applied). Immutable.
 *
 * @param queue             the queue consumed
 * @param prefetch          deliveries unacknowledged at once
 * @param keys              where each message's idempotency key is
 * @param brokerDeadLetters unusable messages are rejected to the queue's dead-letter exchange (else recorded by Junction)
 * @param declare           what to declare at start; empty: nothing
 */
record AmqpSourceSettings(String queue, int prefetch, KeyRule keys, boolean brokerDeadLetters, Optional<Declare> declare) {

    /** The {@code declare} block. */
    record Declare(boolean durable, String queueType, String exchange, String exchangeType, List<String> routingKeys,
                   String deadLetterExchange) {}

    static AmqpSourceSettings from(Config block) {
        Optional<Declare> declare = Optional.empty();
        if (block.hasPath("declare")) {
            Config d = block.getConfig("declare");
            declare = Optional.of(new Declare(d.getBoolean("durable"), d.getString("queue-type"), d.getString("exchange"),
                    d.getString("exchange-type"), d.getStringList("routing-keys"), d.getString("dead-letter-exchange")));
        }
        boolean dlx = block.getBoolean("broker-dead-letters") || declare.map(d -> !d.deadLetterExchange().isEmpty()).orElse(false);
        return new AmqpSourceSettings(block.getString("queue"), block.getInt("prefetch"),
                KeyRule.parse(block.getString("idempotency-key"), Set.of(AmqpSourceFactory.MESSAGE_ID)), dlx, declare);
    }
}
