package dev.junction.connectors.api;

import java.util.concurrent.CompletionStage;

/**
 * The entry point into the durable inbox, implemented by the server.
 *
 * <p>Safe to call from any thread, concurrently; it never blocks. The stage completes once the message is committed to the
 * journal ({@link IngestResult.Accepted}), recognised as a duplicate, or refused. It never completes exceptionally: every
 * failure is an {@link IngestResult}. A source acknowledges its upstream only on {@link IngestResult#isDurable()}; on
 * {@link IngestResult.Unavailable} it leaves the message with its upstream (an HTTP 503, a requeue, a position not
 * committed) and backs off for the {@code retryAfter} given.
 */
public interface Ingestor {

    /** Makes the message durable and deduplicates it by its idempotency key within the integration. */
    CompletionStage<IngestResult> ingest(InboundMessage message);

    /**
     * Records a message the source cannot use as a dead letter of the integration, with its raw bytes and the reason, so an
     * operator sees it; the source may acknowledge it upstream once the answer is {@link IngestResult#isDurable() durable}.
     * The same bytes rejected twice are one dead letter ({@link IngestResult.Duplicate} the second time).
     */
    CompletionStage<IngestResult> reject(UnusableMessage message);
}
