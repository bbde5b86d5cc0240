package dev.junction.server.config;

import dev.junction.connectors.api.KeyRule;

/**
 * An integration's {@code ordering} and {@code partition-key}.
 *
 * @param perKey       {@code ordering = per-key}: messages with one partition key are delivered in the order accepted
 * @param partitionKey where each message's partition key is found ({@code json:/orderId}, {@code header:X-Order}); null with
 *                     {@code perKey} when the source sets it ({@link dev.junction.connectors.api.SourceFactory#setsPartitionKey})
 */
public record OrderingSettings(boolean perKey, KeyRule partitionKey) {

    /** {@code ordering = none}, the default: no message waits for another. */
    public static final OrderingSettings NONE = new OrderingSettings(false, null);
}
