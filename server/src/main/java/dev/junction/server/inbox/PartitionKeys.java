package dev.junction.server.inbox;

import dev.junction.connectors.api.InboundMessage;
import dev.junction.connectors.api.KeyRule;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where the messages of an integration with {@code ordering = per-key} find their partition key: by the integration's
 * {@code partition-key} rule (the same forms as an idempotency key, read from the body and the headers the source kept), or,
 * without one, the key the source set itself ({@link InboundMessage#partitionKey}, a CDC source's primary key). Immutable.
 *
 * @param rule the integration's rule; null: the source's own key
 */
public record PartitionKeys(KeyRule rule) {

    /** The partition key of {@code message}, or why it has none (a sentence for an operator). */
    public KeyRule.Found find(InboundMessage message) {
        if (rule == null) {
            if (message.partitionKey() == null) {
                return new KeyRule.Found(null, "the source set no partition key, and the integration has no partition-key rule");
            }
            KeyRule.Found own = KeyRule.checked(message.partitionKey(), "the source's partition key");
            return own.isKey() ? own : reworded(own);
        }
        Map<String, String> headers = message.headers();
        KeyRule.Found found = rule.find(new KeyRule.Message(name -> header(headers, name), name -> Optional.empty(), message.json()));
        return found.isKey() ? found : reworded(found);
    }

    /** The rule's sentences speak of the idempotency key, which this is not. */
    private static KeyRule.Found reworded(KeyRule.Found found) {
        return new KeyRule.Found(null, found.problem().replace("idempotency key", "partition key"));
    }

    private static Optional<String> header(Map<String, String> headers, String name) {
        String exact = headers.get(name);
        if (exact != null) {
            return Optional.of(exact);
        }
        String lower = name.toLowerCase(Locale.ROOT);
        return headers.entrySet().stream().filter(e -> e.getKey().toLowerCase(Locale.ROOT).equals(lower))
                .map(Map.Entry::getValue).findFirst();
    }
}
