package dev.junction.server.system;

import java.time.Duration;
import java.util.List;

/**
 * A system's rate limit on one node: calls start evenly spaced, one every {@code per / permits}, so no interval of length
 * {@code per} sees more than {@code permits} (one more only on an interval closed at both ends). No burst: a token bucket
 * lets a full bucket follow a second at the full rate (twice the limit in one second), and a sliding window lets the whole
 * limit go at once each time the window frees, which calls delayed differently on their way turn into more than the limit
 * in a second at the system. A call after a pause starts at once. In a cluster the system's limit is the cluster's: each
 * node paces its {@link #shareOf share} of it, recomputed when members join or leave ({@link #resize}). Confined to its
 * {@link SystemActor}, so not thread-safe.
 */
final class Pacer {
    private Share share;
    private long intervalNanos;
    /** When the next call may start (System.nanoTime). */
    private long nextNanos = Long.MIN_VALUE;

    Pacer(Share share) {
        resize(share);
    }

    /** From now on {@code share}; the spacing after the last call follows the new share. */
    void resize(Share share) {
        long interval = share.per().toNanos() / share.permits();
        if (nextNanos != Long.MIN_VALUE) {
            nextNanos += interval - intervalNanos;
        }
        this.share = share;
        this.intervalNanos = interval;
    }

    Share share() {
        return share;
    }

    /** Records a call and returns 0, or records none and returns the nanoseconds until one may start. */
    long tryTake(long nowNanos) {
        if (nextNanos == Long.MIN_VALUE || nowNanos - nextNanos >= 0) {
            nextNanos = nowNanos + intervalNanos;
            return 0;
        }
        return nextNanos - nowNanos;
    }

    /** One node's part of a limit: {@code permits} calls in any interval of {@code per}. */
    record Share(int permits, Duration per) {}

    /**
     * The share of the node at {@code self} (its place among {@code members}, each listed once in the same order on every node)
     * of a limit of {@code permits} per {@code per}: the permits divided evenly, the first nodes taking one more of the rest, so
     * the shares add up to the limit. With fewer permits than nodes each node makes one call per {@code per × nodes / permits}.
     * A node not among the members yet counts as one more.
     */
    static Share shareOf(int permits, Duration per, List<String> members, String self) {
        int index = members.indexOf(self);
        int nodes = index < 0 ? members.size() + 1 : members.size();
        if (index < 0) {
            index = nodes - 1;
        }
        if (permits >= nodes) {
            return new Share(permits / nodes + (index < permits % nodes ? 1 : 0), per);
        }
        return new Share(1, per.multipliedBy(nodes).dividedBy(permits));
    }
}
