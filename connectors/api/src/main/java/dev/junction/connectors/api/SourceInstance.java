package dev.junction.connectors.api;

import java.util.concurrent.CompletionStage;

/**
 * A running source: it receives or fetches messages and hands each to {@link SourceContext#ingestor()}. It acknowledges its
 * upstream (deletes a file, acks a queue message, answers an HTTP request, commits a position) only once the returned stage
 * says the message is durable ({@link IngestResult#isDurable()}): that is what makes acceptance durable.
 *
 * <p>Lifecycle, by ingestion pattern:
 * <ul>
 *   <li><b>Push</b> ({@link dev.junction.connectors.api.http.HttpIngress}, a webhook): the server routes requests to it; it
 *       answers each only after the ingestor did.</li>
 *   <li><b>Queue</b> (a broker consumer): {@link #start()} connects and subscribes; each message is acknowledged to the broker
 *       on a durable answer, released back to it (nack, requeue) on {@link IngestResult.Unavailable}, after which the
 *       source backs off; a message it cannot use goes to {@link Ingestor#reject}, never silently acknowledged. Runs on every
 *       node ({@link Placement#EVERY_NODE}) unless the broker needs a single reader.</li>
 *   <li><b>Pull</b> (polling, a batch, change data capture, an outbox): {@link #start()} reads its position from
 *       {@link SourceContext#positions()} and fetches from there; it commits a new position only when every message before
 *       it was durable. It usually runs on one node of the cluster ({@link Placement#ONE_NODE}) and is started on another
 *       with the last committed position when that node dies.</li>
 * </ul>
 *
 * <p>Threads: {@link #start()} is called once, after the server can accept messages, on a server thread that must not be
 * held: return quickly and do the work on streams, on {@link SourceContext#blockingExecutor()} or on the client library's
 * own threads. {@link #stop()} is called once: at shutdown, when a reload changes or removes the source, or when a
 * {@link Placement#ONE_NODE} source moves to another node. It must stop taking new messages at once; its stage completes
 * when the messages in flight are settled (acknowledged, or left unacknowledged with the upstream) and every connection,
 * thread and file is released. A source is never started twice; a restart is a new instance from
 * {@link SourceFactory#create}. Report connection changes to {@link SourceContext#status()}.
 */
public interface SourceInstance {

    /** Starts receiving. The default does nothing: push sources are driven by the server. */
    default void start() {}

    /** Stops receiving and releases every resource; the default is already complete. */
    default CompletionStage<Void> stop() {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }
}
