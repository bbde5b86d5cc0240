package dev.junction.server.inbox;

import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A partition's delivery stream: envelopes in, {@link Settlement}s back to the partition in batches. Bounded: the partition
 * never offers more than its window; the systems bound how many attempts run at once. One
 * settlement write is in flight at a time and the settlements finished meanwhile go together in the next one, so a busy
 * partition writes few large events instead of many small ones. It runs on the partition's own materializer, so it stops with
 * the partition; if a settlement write does not answer in time the stream fails, the partition restarts it, and the envelopes
 * not yet settled are delivered again (with the same keys). When the partition hands off it asks its {@link Withdrawal}: the
 * deliveries that have not made an attempt yet end withdrawn (pending still), and it waits only for those under way.
 */
final class DeliveryStream {
    private static final java.time.Duration SETTLE_TIMEOUT = java.time.Duration.ofSeconds(30);
    private final BoundedSourceQueue<PendingDelivery> queue;
    private final UniqueKillSwitch killSwitch;
    private final Withdrawal withdrawal;
    private final DeliveryHandler delivery;

    /** How one delivery ended: settled, or withdrawn ({@code settlement} null) and still pending. */
    record Ended(String messageId, Settlement settlement) {}

    private DeliveryStream(BoundedSourceQueue<PendingDelivery> queue, UniqueKillSwitch killSwitch, Withdrawal withdrawal,
                           DeliveryHandler delivery) {
        this.queue = queue;
        this.killSwitch = killSwitch;
        this.withdrawal = withdrawal;
        this.delivery = delivery;
    }

    static DeliveryStream start(ActorRef<InboxPartition.Command> partition, Scheduler scheduler, Materializer materializer,
                                DeliveryHandler delivery, int window, long generation) {
        Withdrawal withdrawal = new Withdrawal();
        Pair<Pair<BoundedSourceQueue<PendingDelivery>, UniqueKillSwitch>, java.util.concurrent.CompletionStage<Done>> running =
                Source.<PendingDelivery>queue(window)
                        .viaMat(KillSwitches.single(), Keep.both())
                        // Each system bounds its own concurrency (its bulkhead), so a slow one holds window slots, not threads.
                        .mapAsyncUnordered(window, pending -> ended(pending, delivery.deliver(pending, withdrawal)))
                        .batch(window, DeliveryStream::first, DeliveryStream::add)
                        .mapAsync(1, batch -> AskPattern.<InboxPartition.Command, Done>ask(partition,
                                replyTo -> settle(batch, replyTo), SETTLE_TIMEOUT, scheduler))
                        .toMat(Sink.ignore(), Keep.both())
                        .run(materializer);
        running.second().whenComplete((done, failure) -> {
            if (failure != null) {
                partition.tell(new InboxPartition.DeliveryStreamFailed(generation, failure.toString()));
            }
        });
        return new DeliveryStream(running.first().first(), running.first().second(), withdrawal, delivery);
    }

    private static java.util.concurrent.CompletionStage<Ended> ended(PendingDelivery pending,
                                                                    java.util.concurrent.CompletionStage<Settlement> delivered) {
        String id = pending.envelope().messageId();
        return delivered.handle((settlement, failure) -> {
            if (failure == null) {
                return new Ended(id, settlement);
            }
            if (Withdrawal.isWithdrawn(failure)) {
                return new Ended(id, null);
            }
            throw failure instanceof java.util.concurrent.CompletionException c ? c : new java.util.concurrent.CompletionException(failure);
        });
    }

    /** The batch's settlements, and the ids of its withdrawn deliveries, which stay pending. */
    private static InboxPartition.Settle settle(List<Ended> batch, ActorRef<Done> replyTo) {
        List<Settlement> settled = new java.util.ArrayList<>(batch.size());
        List<String> withdrawn = new java.util.ArrayList<>(0);
        for (Ended e : batch) {
            if (e.settlement() != null) {
                settled.add(e.settlement());
            } else {
                withdrawn.add(e.messageId());
            }
        }
        return new InboxPartition.Settle(settled, withdrawn, replyTo);
    }

    /** The partition hands off: deliveries that have made no attempt yet are withdrawn. */
    void withdraw() {
        withdrawal.ask();
        delivery.withdrawalAsked();
    }

    /** True when the stream took the envelope. */
    boolean offer(PendingDelivery envelope) {
        return queue.offer(envelope) == QueueOfferResult.enqueued();
    }

    void stop() {
        killSwitch.shutdown();
    }

    private static java.util.ArrayList<Ended> first(Ended s) {
        java.util.ArrayList<Ended> list = new java.util.ArrayList<>();
        list.add(s);
        return list;
    }

    private static java.util.ArrayList<Ended> add(java.util.ArrayList<Ended> list, Ended s) {
        list.add(s);
        return list;
    }
}
