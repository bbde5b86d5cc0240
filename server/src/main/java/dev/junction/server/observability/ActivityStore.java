package dev.junction.server.observability;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/** The durable activity counts every node adds to and every node reads (the {@code junction_activity} table). */
public interface ActivityStore {
    /** Sums of one integration over buckets starting in [from, to). */
    record Sums(long received, long delivered, long deadLettered, long filtered) {}

    /** The counts of one bucket (epoch ms of its start); what the dashboard draws. */
    record Bucket(long start, long received, long delivered, long deadLettered, long filtered) {}

    /** Adds these counts (indexed as {@link Activity#RECEIVED} and the others say) to their buckets. */
    CompletionStage<Void> add(Map<Activity.Key, long[]> counts);

    CompletionStage<Sums> sums(String integration, long from, long to);

    /** The buckets of one integration starting in [from, to) that have counts, oldest first. */
    CompletionStage<java.util.List<Bucket>> buckets(String integration, long from, long to);

    /** Epoch ms of the last delivery ever recorded (0: none), and the start of the first bucket (-1: none). */
    CompletionStage<long[]> lastDeliveredAndFirstBucket(String integration);

    /** Removes buckets older than {@code before}, keeping each integration's last delivery. */
    CompletionStage<Void> prune(long before);
}
