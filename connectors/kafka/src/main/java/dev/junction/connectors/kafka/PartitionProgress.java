package dev.junction.connectors.kafka;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.OptionalLong;

/**
 * What the source knows of one assigned partition: the records handed to the inbox and not yet answered, in offset order,
 * and from them the offset that may be committed: the one after the longest run of records, from the start, that the inbox
 * holds. A record answered out of order waits for the ones before it; a refused record drops itself and everything after it
 * (they are read again from it, after the refusal's delay), so a refusal never lets the commit pass it.
 *
 * <p>Not thread-safe: only the source's poll thread touches it.
 */
final class PartitionProgress {
    /** One record handed to the inbox. {@code dropped}: its answer no longer counts (refused before, or partition revoked). */
    static final class Pending {
        final long offset;
        boolean done;
        boolean dropped;

        private Pending(long offset) {
            this.offset = offset;
        }
    }

    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private long durable = -1;
    private long committed = -1;
    private long retryFrom = -1;
    private long resumeAt;

    /** Tracks the record at {@code offset}, handed to the inbox now; offsets come in increasing order. */
    Pending handedOver(long offset) {
        if (durable < 0) {
            durable = offset; // everything before the first record read is committed already (or before the group's start)
            committed = offset;
        }
        Pending p = new Pending(offset);
        pending.addLast(p);
        return p;
    }

    /** The inbox holds {@code p}'s record. */
    void held(Pending p) {
        if (p.dropped) {
            return;
        }
        p.done = true;
        while (!pending.isEmpty() && pending.peekFirst().done) {
            durable = pending.pollFirst().offset + 1;
        }
    }

    /**
     * The inbox refused {@code p}'s record: it and every record after it are dropped, to be read again from its offset once
     * {@code nowMillis + delayMillis} has passed.
     */
    void refused(Pending p, long nowMillis, long delayMillis) {
        if (p.dropped) {
            return;
        }
        for (Iterator<Pending> it = pending.descendingIterator(); it.hasNext(); ) {
            Pending later = it.next();
            if (later.offset < p.offset) {
                break;
            }
            later.dropped = true;
            it.remove();
        }
        retryFrom = retryFrom < 0 ? p.offset : Math.min(retryFrom, p.offset);
        resumeAt = Math.max(resumeAt, nowMillis + delayMillis);
    }

    /** True while a refusal waits: records at or after {@link #retryFrom()} read meanwhile are ignored. */
    boolean isWaiting() {
        return retryFrom >= 0;
    }

    /** True when a record read now at {@code offset} is to be ignored (it will be read again after the wait). */
    boolean ignores(long offset) {
        return retryFrom >= 0 && offset >= retryFrom;
    }

    long retryFrom() {
        return retryFrom;
    }

    /** The offset to read again from when the wait is over at {@code nowMillis}, and the wait ends; empty otherwise. */
    OptionalLong retryDue(long nowMillis) {
        if (retryFrom < 0 || nowMillis < resumeAt) {
            return OptionalLong.empty();
        }
        long from = retryFrom;
        retryFrom = -1;
        return OptionalLong.of(from);
    }

    /** The offset to commit, if it moved since the last commit: every record before it is held by the inbox. */
    OptionalLong toCommit() {
        return durable > committed ? OptionalLong.of(durable) : OptionalLong.empty();
    }

    void committed(long offset) {
        committed = Math.max(committed, offset);
    }

    /** Records handed over and not yet answered (or refused). */
    int inFlight() {
        return pending.size();
    }

    /** The partition is no longer this source's: no answer counts any more. */
    void drop() {
        pending.forEach(p -> p.dropped = true);
        pending.clear();
    }
}
