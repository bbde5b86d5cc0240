package dev.junction.server.testing;

/**
 * Which inbox partition a key falls into, as {@code Inbox.partitionOf} computes it. Tests use it to place a marker message in the
 * partition of a message they watch: partitions deliver in order, so once the marker is delivered, anything the watched message
 * had still caused (a second delivery, a duplicate accepted by mistake) would have arrived before it. That is a positive
 * signal where a sleep would only hope.
 */
public final class Partitioning {
    private Partitioning() {}

    public static int partitionOf(String key, int partitions) {
        return Math.floorMod(key.hashCode(), partitions);
    }

    /** The first key {@code prefix-0}, {@code prefix-1}, … in the same partition as {@code key}. */
    public static String markerBeside(String key, int partitions, String prefix) {
        int partition = partitionOf(key, partitions);
        for (int i = 0; ; i++) {
            if (partitionOf(prefix + "-" + i, partitions) == partition) {
                return prefix + "-" + i;
            }
        }
    }
}
