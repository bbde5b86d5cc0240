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
    private static final IngestResult TIMED_OUT = new IngestResult.Unavailable("the journal did not confirm in time", RETRY_AFTER);

    /** An envelope waiting for its batch; {@code deadline} (System.nanoTime) is when its source must hear back at the latest. */
    private record Waiting(Envelope envelope, CompletableFuture<IngestResult> result, long deadline) {}

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

    /** Completes when the envelope is committed or refused; within the accept timeout, with Unavailable at the latest. */
    CompletionStage<IngestResult> offer(Envelope envelope) {
        CompletableFuture<IngestResult> result = new CompletableFuture<>();
        QueueOfferResult offered = queue.offer(new Waiting(envelope, result, System.nanoTime() + acceptTimeout.toNanos()));
        if (offered != QueueOfferResult.enqueued()) {
            result.complete(new IngestResult.Unavailable("the inbox is overloaded", RETRY_AFTER));
        }
        return result;
    }

    /**
     * Asks the partition to persist the batch, waiting no longer than the earliest deadline in it. Envelopes whose deadline
     * passed while the previous batch was written are refused without being sent. So whatever is slow (the journal, a partition
     * recovering) a source hears within the accept timeout, with one timer per batch rather than one per message. If a write
     * commits after its source heard 503, the sender's retry finds the key and is answered as a duplicate.
     */
    private CompletionStage<Done> send(EntityRef<InboxPartition.Command> partition, List<Waiting> batch) {
        long now = System.nanoTime();
        List<Waiting> live = new ArrayList<>(batch.size());
        long earliest = Long.MAX_VALUE;
        for (Waiting waiting : batch) {
            if (waiting.deadline() - now <= 0) {
                waiting.result().complete(TIMED_OUT);
            } else {
                live.add(waiting);
                earliest = Math.min(earliest, waiting.deadline());
            }
        }
        if (live.isEmpty()) {
            return CompletableFuture.completedFuture(Done.getInstance());
        }
        List<Envelope> envelopes = live.stream().map(Waiting::envelope).toList();
        return partition.<InboxPartition.AcceptReply>ask(replyTo -> new InboxPartition.AcceptBatch(envelopes, replyTo),
                        Duration.ofNanos(earliest - now))
                .handle((reply, failure) -> {
                    for (int i = 0; i < live.size(); i++) {
                        live.get(i).result().complete(failure != null ? TIMED_OUT : toResult(reply.outcomes().get(i)));
                    }
                    return Done.getInstance();
                });
    }

    private static IngestResult toResult(InboxPartition.Outcome outcome) {
        return switch (outcome.status()) {
            case ACCEPTED -> new IngestResult.Accepted(outcome.messageId());
            case DUPLICATE -> new IngestResult.Duplicate(outcome.messageId());
            case CONFLICT -> new IngestResult.Conflict(outcome.messageId());
            case REFUSED -> new IngestResult.Unavailable("the key index could not be read", RETRY_AFTER);
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
