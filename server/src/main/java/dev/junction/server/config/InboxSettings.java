package dev.junction.server.config;

import java.time.Duration;

/**
 * The inbox: {@code junction.inbox}.
 *
 * @param partitions      inbox partitions per integration; a message's partition is chosen by its idempotency key, so its
 *                        duplicates always meet it in the same partition
 * @param dedupWindow     how long an accepted key is remembered
 * @param dedupMaxKeys    the keys one partition holds in memory; older keys of the window are found in the durable key index
 * @param dedupFilterKeys the keys beyond memory one partition's filter is sized for (the durable index is asked only about keys
 *                        the filter may hold); more only cost more lookups
 * @param retention       how long settled envelopes stay in the journal (and messages can be looked up)
 * @param retentionCheck  how often a partition removes what retention lets go
 * @param acceptTimeout   how long a source waits for the journal before it is told to retry (503)
 * @param maxBatch        the most envelopes one partition persists in one write
 * @param queueSize       envelopes waiting per partition on one node before sources are told to retry
 * @param snapshotEvery   events between snapshots of a partition
 * @param deliveryWindow  envelopes one partition hands to its delivery stream at once
 */
public record InboxSettings(
        int partitions,
        Duration dedupWindow,
        int dedupMaxKeys,
        int dedupFilterKeys,
        Duration retention,
        Duration retentionCheck,
        Duration acceptTimeout,
        int maxBatch,
        int queueSize,
        int snapshotEvery,
        int deliveryWindow) {}
