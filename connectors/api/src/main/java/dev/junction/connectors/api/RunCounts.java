package dev.junction.connectors.api;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The counts of one run, taken from the inbox's answers so that every source counts alike: {@code read} items fetched,
 * {@code accepted} new messages, {@code duplicate} ones the inbox held already, {@code invalid} items recorded as dead letters
 * (no usable key, not a JSON object, a key reused with another body), {@code failed} items the inbox refused for now (not
 * durable: the run cannot move its watermark). Thread-safe: answers arrive on many threads.
 */
public final class RunCounts {
    private final AtomicLong pages = new AtomicLong();
    private final AtomicLong read = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong duplicate = new AtomicLong();
    private final AtomicLong invalid = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /** A page of {@code items} items was fetched. */
    public void page(int items) {
        pages.incrementAndGet();
        read.addAndGet(items);
    }

    /**
     * Counts the inbox's answer for one item handed to {@link Ingestor#ingest}. A {@link IngestResult.Conflict} counts nothing
     * here: the source records the item with {@link Ingestor#reject}, and {@link #rejected} counts it.
     */
    public void ingested(IngestResult result) {
        if (result instanceof IngestResult.Accepted) {
            accepted.incrementAndGet();
        } else if (result instanceof IngestResult.Duplicate) {
            duplicate.incrementAndGet();
        } else if (result instanceof IngestResult.Unavailable) {
            failed.incrementAndGet();
        }
    }

    /** Counts an item that could not become a message and went to {@link Ingestor#reject}, by the answer to the rejection. */
    public void rejected(IngestResult result) {
        if (result.isDurable()) {
            invalid.incrementAndGet();
        } else {
            failed.incrementAndGet();
        }
    }

    public long pages() {
        return pages.get();
    }

    public long read() {
        return read.get();
    }

    public long accepted() {
        return accepted.get();
    }

    public long duplicate() {
        return duplicate.get();
    }

    public long invalid() {
        return invalid.get();
    }

    public long failed() {
        return failed.get();
    }
}
