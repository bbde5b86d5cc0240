package dev.junction.connectors.kafka;

import dev.junction.connectors.api.Intake;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceInstance;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes topics as a member of a consumer group, with auto-commit off. Each record is handed to the inbox; per partition
 * ({@link PartitionProgress}) the source commits an offset only when the inbox holds every record before it. When the inbox
 * refuses a record (the journal is down, a partition recovers), the partition is paused and read again from that record after
 * the refusal's {@code retryAfter}: nothing after it is committed meanwhile, nothing is skipped. A record the source cannot
 * use is recorded as a dead letter (see {@link KafkaRecords}) and then counts as held.
 *
 * <p>Rebalances: when Kafka takes partitions away, the source waits briefly for the inbox's answers on them, commits what
 * is held, and forgets them: no answer that comes later leads to a commit on a partition it no longer owns. A partition
 * lost without a clean revocation (the member was dropped from the group) is forgotten without a commit.
 *
 * <p>Threads: the consumer is not thread-safe, so one thread of the source's own polls, hands records over, commits and
 * answers rebalances; the inbox's answers come back on Pekko's threads and are queued to it. {@link #stop()} ends the
 * thread after up to {@value #DRAIN_SECONDS} s of waiting for answers, commits what is held and closes the consumer.
 */
final class KafkaSource implements SourceInstance, ConsumerRebalanceListener {
    private static final Logger log = LoggerFactory.getLogger(KafkaSource.class);
    private static final int DRAIN_SECONDS = 10;
    private static final Duration REVOKE_GRACE = Duration.ofSeconds(3);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration STATUS_EVERY = Duration.ofSeconds(2);
    private static final Duration MAX_RESTART = Duration.ofSeconds(30);

    /** The inbox's answer for one record, queued to the poll thread. */
    private record Answer(int generation, TopicPartition partition, PartitionProgress progress, PartitionProgress.Pending pending, Intake.Outcome outcome) {}

    private final KafkaSourceSettings settings;
    private final KafkaSystem system;
    private final SourceContext context;
    private final KafkaRecords records;
    private final BlockingQueue<Answer> answers = new LinkedBlockingQueue<>();
    private final Map<TopicPartition, PartitionProgress> partitions = new HashMap<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private volatile boolean stopping;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;
    private int generation;
    private int inFlight;
    private boolean throttled;
    private long nextCommit;
    private long nextStatus;
    private boolean committing = true;

    KafkaSource(KafkaSourceSettings settings, KafkaSystem system, SourceContext context) {
        this.settings = settings;
        this.system = system;
        this.context = context;
        this.records = new KafkaRecords(settings, context);
    }

    @Override
    public synchronized void start() {
        thread = new Thread(this::run, "junction-kafka-" + context.integration());
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        Duration backoff = Duration.ofSeconds(1);
        try {
            while (!stopping) {
                try {
                    consume();
                } catch (RuntimeException | LinkageError e) {
                    if (stopping) {
                        break;
                    }
                    String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                    log.warn("{}: the Kafka consumer failed; starting a new one in {} ms", context.integration(), backoff.toMillis(), e);
                    context.status().disconnected(reason, backoff);
                    sleep(backoff);
                    backoff = backoff.multipliedBy(2).compareTo(MAX_RESTART) > 0 ? MAX_RESTART : backoff.multipliedBy(2);
                }
            }
        } finally {
            stopped.complete(null);
        }
    }

    /** One consumer's life: subscribe, poll until stopped, drain, commit, close. */
    private void consume() {
        Map<String, Object> p = system.clientProperties("junction-" + context.integration());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, settings.startFrom());
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.min(500, settings.maxInFlight()));
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
        generation++;
        try (KafkaConsumer<byte[], byte[]> c = KafkaSystem.inPluginClassLoader(
                () -> new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer()))) {
            consumer = c;
            c.subscribe(settings.topics(), this);
            context.status().connected(detail());
            try {
                while (!stopping) {
                    for (ConsumerRecord<byte[], byte[]> record : c.poll(POLL)) {
                        take(record);
                    }
                    long now = System.currentTimeMillis();
                    settle(now);
                    resumeDue(now);
                    throttle();
                    if (now >= nextCommit) {
                        commit(partitions.keySet());
                        nextCommit = now + settings.commitInterval().toMillis();
                    }
                    if (now >= nextStatus) {
                        reportStatus();
                        nextStatus = now + STATUS_EVERY.toMillis();
                    }
                }
            } catch (WakeupException stop) {
                // stop() woke the consumer up: drain and commit below
            }
            drain(System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS), partitions.keySet());
            commit(partitions.keySet());
        } finally {
            consumer = null;
            partitions.values().forEach(PartitionProgress::drop);
            partitions.clear();
            answers.clear();
            inFlight = 0;
            throttled = false;
        }
    }

    private void take(ConsumerRecord<byte[], byte[]> record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        PartitionProgress progress = partitions.get(tp);
        if (progress == null || progress.ignores(record.offset())) {
            return; // read before a refusal paused the partition: it is read again after the wait
        }
        PartitionProgress.Pending pending = progress.handedOver(record.offset());
        inFlight++;
        CompletionStage<Intake.Outcome> outcome;
        try {
            outcome = records.take(record);
        } catch (RuntimeException e) {
            outcome = CompletableFuture.completedFuture(new Intake.Outcome.Retry(Duration.ofSeconds(1)));
        }
        int current = generation;
        outcome.whenComplete((o, failure) -> answers.add(new Answer(current, tp, progress, pending,
                failure != null ? new Intake.Outcome.Retry(Duration.ofSeconds(1)) : o)));
    }

    /** Applies every answer queued so far. */
    private void settle(long now) {
        Answer a;
        while ((a = answers.poll()) != null) {
            apply(a, now);
        }
    }

    private void apply(Answer a, long now) {
        if (a.generation() != generation) {
            return; // handed over by a consumer closed since
        }
        inFlight--;
        if (partitions.get(a.partition()) != a.progress()) {
            return; // the partition was revoked since: its answers no longer count
        }
        if (a.outcome() instanceof Intake.Outcome.Retry retry) {
            boolean wasWaiting = a.progress().isWaiting();
            a.progress().refused(a.pending(), now, retry.after().toMillis());
            if (!wasWaiting && a.progress().isWaiting()) {
                consumer.pause(java.util.List.of(a.partition()));
            }
        } else {
            a.progress().held(a.pending());
        }
    }

    /** Partitions whose refusal wait is over: read again from the refused record. */
    private void resumeDue(long now) {
        partitions.forEach((tp, progress) -> {
            OptionalLong from = progress.retryDue(now);
            if (from.isPresent()) {
                consumer.seek(tp, from.getAsLong());
                if (!throttled) {
                    consumer.resume(java.util.List.of(tp));
                }
            }
        });
    }

    /** Pauses fetching while {@code max-in-flight} records wait for the inbox; resumes below half of it. */
    private void throttle() {
        if (!throttled && inFlight >= settings.maxInFlight()) {
            consumer.pause(partitions.keySet());
            throttled = true;
        } else if (throttled && inFlight <= settings.maxInFlight() / 2) {
            throttled = false;
            consumer.resume(partitions.entrySet().stream().filter(e -> !e.getValue().isWaiting()).map(Map.Entry::getKey).toList());
        }
    }

    /** Commits, for {@code which} partitions, the offsets of what the inbox holds; a failure is tried again at the next one. */
    private void commit(Collection<TopicPartition> which) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : which) {
            PartitionProgress progress = partitions.get(tp);
            OptionalLong offset = progress == null ? OptionalLong.empty() : progress.toCommit();
            if (offset.isPresent()) {
                offsets.put(tp, new OffsetAndMetadata(offset.getAsLong()));
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        try {
            try {
                consumer.commitSync(offsets, system.requestTimeout().multipliedBy(2));
            } catch (WakeupException e) {
                if (!stopping) {
                    throw e;
                }
                consumer.commitSync(offsets, system.requestTimeout().multipliedBy(2)); // stop() woke it up: commit anyway
            }
            offsets.forEach((tp, o) -> partitions.get(tp).committed(o.offset()));
            if (!committing) {
                committing = true;
                context.status().connected(detail());
            }
        } catch (KafkaException e) {
            if (e instanceof WakeupException) {
                throw e;
            }
            // the coordinator moved or is unreachable, or a rebalance is under way: what is held is committed later, or by
            // whoever gets the partition (it reads again from the last commit; the inbox recognises what it holds)
            log.debug("{}: commit of {} failed: {}", context.integration(), offsets, e.toString());
            committing = false;
            context.status().disconnected("cannot commit offsets: " + e.getMessage(), settings.commitInterval());
        }
    }

    /** Waits until {@code which} partitions have no record waiting for the inbox, or until {@code deadlineNanos}. */
    private void drain(long deadlineNanos, Collection<TopicPartition> which) {
        while (System.nanoTime() < deadlineNanos && which.stream().map(partitions::get)
                .anyMatch(progress -> progress != null && progress.inFlight() > 0)) {
            try {
                Answer a = answers.poll(50, TimeUnit.MILLISECONDS);
                if (a != null) {
                    apply(a, System.currentTimeMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
        if (revoked.isEmpty()) {
            return;
        }
        drain(System.nanoTime() + REVOKE_GRACE.toNanos(), revoked);
        commit(revoked);
        forget(revoked);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
        forget(lost); // another member may own them already: no commit
    }

    private void forget(Collection<TopicPartition> gone) {
        for (TopicPartition tp : gone) {
            PartitionProgress progress = partitions.remove(tp);
            if (progress != null) {
                progress.drop();
            }
        }
        context.status().connected(detail());
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
        for (TopicPartition tp : assigned) {
            partitions.put(tp, new PartitionProgress());
        }
        if (throttled && !assigned.isEmpty()) {
            consumer.pause(assigned);
        }
        if (!assigned.isEmpty()) {
            log.debug("{}: assigned {}", context.integration(), assigned);
        }
        context.status().connected(detail());
    }

    /**
     * Connected (with the partitions and the lag) or not: the consumer reconnects by itself and says nothing when it cannot,
     * so its count of open connections tells.
     */
    private void reportStatus() {
        if (connections() == 0) {
            context.status().disconnected("no connection to any broker of " + system.address()
                    + " (the consumer keeps trying)", Duration.ofSeconds(2));
        } else if (committing) {
            context.status().connected(detail());
        }
    }

    /** The consumer's open connections to brokers; -1 when its metrics do not say. */
    private double connections() {
        for (var metric : consumer.metrics().entrySet()) {
            if (metric.getKey().name().equals("connection-count") && metric.getKey().group().equals("consumer-metrics")) {
                return metric.getValue().metricValue() instanceof Number n ? n.doubleValue() : -1;
            }
        }
        return -1;
    }

    /** The group, the partitions this member holds and its lag when the consumer knows it. */
    private String detail() {
        KafkaConsumer<byte[], byte[]> c = consumer;
        long lag = 0;
        boolean lagKnown = c != null && !partitions.isEmpty();
        if (lagKnown) {
            for (TopicPartition tp : partitions.keySet()) {
                OptionalLong l = c.currentLag(tp);
                if (l.isEmpty()) {
                    lagKnown = false;
                    break;
                }
                lag += l.getAsLong();
            }
        }
        String held = partitions.keySet().stream().map(TopicPartition::toString).sorted().collect(Collectors.joining(", "));
        return "group " + settings.groupId() + " on " + system.address() + ", partitions [" + held + "]"
                + (lagKnown ? ", lag " + lag : "");
    }

    private void sleep(Duration d) {
        long until = System.nanoTime() + d.toNanos();
        while (!stopping && System.nanoTime() < until) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public synchronized CompletionStage<Void> stop() {
        if (!stopping) {
            stopping = true;
            KafkaConsumer<byte[], byte[]> c = consumer;
            if (c != null) {
                c.wakeup();
            }
            if (thread == null) {
                stopped.complete(null);
            }
        }
        return stopped;
    }
}
