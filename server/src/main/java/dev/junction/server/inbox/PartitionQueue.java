package dev.junction.server.inbox;

import dev.junction.connectors.api.IngestResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The way from this node's sources into one inbox partition. Envelopes queue up while the partition writes the previous batch
 * and go to it together as the next {@link InboxPartition.AcceptBatch}: one journal write for many messages, with no waiting when
 * the partition is idle. One batch is in flight at a time, which also keeps the partition's order of arrival.
 */
final class PartitionQueue {
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private record Waiting(Envelope envelope, CompletableFuture<IngestResult> result) {}

    private final BoundedSourceQueue<Waiting> queue;
    private final Duration acceptTimeout;

    PartitionQueue(ActorSystem<?> system, EntityRef<InboxPartition.Command> partition, int queueSize, int maxBatch, Duration acceptTimeout) {
        this.acceptTimeout = acceptTimeout;
        this.queue = Source.<Waiting>queue(queueSize)
                .batch(maxBatch, PartitionQueue::first, PartitionQueue::add)
                .mapAsync(1, batch -> send(partition, batch))
                .to(Sink.ignore())
                .run(system);
    }

    /** Completes when the envelope is committed or refused; after the accept timeout at the latest, with Unavailable. */
    CompletionStage<IngestResult> offer(Envelope envelope) {
        CompletableFuture<IngestResult> result = new CompletableFuture<>();
        QueueOfferResult offered = queue.offer(new Waiting(envelope, result));
        if (offered != QueueOfferResult.enqueued()) {
            result.complete(new IngestResult.Unavailable("the inbox is overloaded", RETRY_AFTER));
            return result;
        }
        // Whatever is slow (the journal, a partition recovering), the source hears within the timeout. If the write commits
        // afterwards, the sender's retry finds the key and is answered as a duplicate.
        return result.completeOnTimeout(new IngestResult.Unavailable("the journal did not confirm in time", RETRY_AFTER),
                acceptTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private CompletionStage<Done> send(EntityRef<InboxPartition.Command> partition, List<Waiting> batch) {
        List<Envelope> envelopes = batch.stream().map(Waiting::envelope).toList();
        return partition.<InboxPartition.AcceptReply>ask(replyTo -> new InboxPartition.AcceptBatch(envelopes, replyTo), acceptTimeout)
                .handle((reply, failure) -> {
                    for (int i = 0; i < batch.size(); i++) {
                        batch.get(i).result().complete(failure != null
                                ? new IngestResult.Unavailable("the journal did not confirm in time", RETRY_AFTER)
                                : toResult(reply.outcomes().get(i)));
                    }
                    return Done.getInstance();
                });
    }

    private static IngestResult toResult(InboxPartition.Outcome outcome) {
        return switch (outcome.status()) {
            case "accepted" -> new IngestResult.Accepted(outcome.messageId());
            case "duplicate" -> new IngestResult.Duplicate(outcome.messageId());
            default -> new IngestResult.Conflict(outcome.messageId());
        };
    }

    private static List<Waiting> first(Waiting w) {
        List<Waiting> list = new ArrayList<>();
        list.add(w);
        return list;
    }

    private static List<Waiting> add(List<Waiting> list, Waiting w) {
        list.add(w);
        return list;
    }
}
