package dev.junction.connectors.api;

import java.util.concurrent.CompletionStage;

/**
 * The entry point into the durable inbox, implemented by the server.
 *
 * <p>Safe to call from any thread, concurrently; it never blocks. The stage completes once the message is committed to the
 * journal ({@link IngestResult.Accepted}), recognised as a duplicate, or refused. It never completes exceptionally: every
 * failure is an {@link IngestResult}. A source acknowledges its upstream only on {@link IngestResult#isDurable()}.
 */
public interface Ingestor {

    /** Makes the message durable and deduplicates it by its idempotency key within the integration. */
    CompletionStage<IngestResult> ingest(InboundMessage message);
}
