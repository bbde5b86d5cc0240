package dev.junction.connectors.kafka;

import dev.junction.connectors.api.KeyRule;
import dev.junction.connectors.api.PermanentException;
import dev.junction.connectors.api.RetriableException;
import dev.junction.connectors.api.SinkContext;
import dev.junction.connectors.api.SinkInstance;
import dev.junction.connectors.api.SinkRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Produces to one topic with an idempotent producer ({@code enable.idempotence}, {@code acks=all}): the broker drops a
 * retry of a batch the producer already wrote, and the record header {@code idempotency-key} lets a consumer drop a second
 * attempt of the same message. An attempt completes when every in-sync replica has the record.
 *
 * <p>Failures: a topic that does not exist, an authorization refusal, a record over the broker's or the topic's limit, an
 * invalid topic fail as permanent; a timeout (no broker, no leader, not enough replicas, no acknowledgement within
 * {@code send-timeout}) or a network error as retriable. The producer reports a topic it cannot find as a metadata timeout,
 * so on a timeout the sink asks the cluster whether the topic exists.
 *
 * <p>Threads: {@link #send} hands the call to the blocking executor (the producer may block while it fetches metadata); the
 * acknowledgement completes the attempt on the producer's I/O thread.
 */
final class KafkaSink implements SinkInstance {
    private final KafkaSystem system;
    private final SinkContext context;
    private final String topic;
    private final KeyRule recordKey;
    private final List<String> headers;
    private final Duration sendTimeout;
    private KafkaProducer<byte[], byte[]> producer;
    private Admin admin;
    private boolean closed;

    KafkaSink(KafkaSystem system, SinkContext context, String topic, KeyRule recordKey, List<String> headers, Duration sendTimeout) {
        this.system = system;
        this.context = context;
        this.topic = topic;
        this.recordKey = recordKey;
        this.headers = List.copyOf(headers);
        this.sendTimeout = sendTimeout;
    }

    @Override
    public CompletionStage<Void> send(SinkRecord record) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            context.blockingExecutor().execute(() -> produce(record, done));
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(new RetriableException("closed", "the node is shutting down", e));
        }
        // the producer's own delivery timeout ends an attempt first; this one only guards against a producer that hangs
        long guard = sendTimeout.toMillis() + system.requestTimeout().toMillis() + 2000;
        return done.orTimeout(guard, TimeUnit.MILLISECONDS).exceptionallyCompose(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof TimeoutException) {
                return CompletableFuture.failedFuture(new RetriableException("timeout", "no acknowledgement from "
                        + system.address() + " within " + guard + " ms", null));
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    private void produce(SinkRecord record, CompletableFuture<Void> done) {
        try {
            byte[] key = key(record);
            RecordHeaders h = new RecordHeaders();
            h.add("idempotency-key", record.idempotencyKey().getBytes(StandardCharsets.UTF_8));
            h.add("junction-message-id", record.messageId().getBytes(StandardCharsets.UTF_8));
            h.add("junction-integration", record.integration().getBytes(StandardCharsets.UTF_8));
            h.add("content-type", "application/json".getBytes(StandardCharsets.UTF_8));
            for (String name : headers) {
                String value = record.headers().get(name);
                if (value != null) {
                    h.add(name, value.getBytes(StandardCharsets.UTF_8));
                }
            }
            producer().send(new ProducerRecord<>(topic, null, key, record.payloadBytes(), h), (metadata, failure) -> {
                if (failure == null) {
                    done.complete(null);
                } else {
                    classifyLater(failure, done);
                }
            });
        } catch (RuntimeException e) {
            classifyLater(e, done);
        }
    }

    private byte[] key(SinkRecord record) {
        if (recordKey == null) {
            return record.idempotencyKey().getBytes(StandardCharsets.UTF_8);
        }
        KeyRule.Found found = recordKey.find(new KeyRule.Message(name -> Optional.empty(), name -> Optional.empty(), record.payload()));
        if (!found.isKey()) {
            throw new PermanentException("no-record-key", "no record key: " + found.problem());
        }
        return found.key().getBytes(StandardCharsets.UTF_8);
    }

    /** Classifies {@code failure} (off the producer's I/O thread when the cluster must be asked) and fails {@code done}. */
    private void classifyLater(Throwable failure, CompletableFuture<Void> done) {
        if (failure instanceof org.apache.kafka.common.errors.TimeoutException) {
            try {
                context.blockingExecutor().execute(() -> done.completeExceptionally(classify(failure)));
                return;
            } catch (RejectedExecutionException e) {
                // shutting down: classify without asking
            }
        }
        done.completeExceptionally(classify(failure));
    }

    private RuntimeException classify(Throwable e) {
        if (e instanceof RetriableException || e instanceof PermanentException) {
            return (RuntimeException) e;
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof UnknownTopicOrPartitionException) {
            return new PermanentException("unknown-topic", "topic " + topic + " does not exist: " + message);
        }
        if (e instanceof AuthorizationException || e instanceof AuthenticationException) {
            return new PermanentException("not-authorized", "not allowed to produce to " + topic + ": " + message);
        }
        if (e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException) {
            return new PermanentException("too-large", message);
        }
        if (e instanceof InvalidTopicException) {
            return new PermanentException("invalid-topic", message);
        }
        if (e instanceof org.apache.kafka.common.errors.TimeoutException && !topicExists()) {
            return new PermanentException("unknown-topic", "topic " + topic + " does not exist on " + system.address());
        }
        if (e instanceof org.apache.kafka.common.errors.TimeoutException) {
            return new RetriableException("timeout", "cannot produce to " + topic + " on " + system.address() + ": " + message, e);
        }
        if (e instanceof IllegalStateException && closed) {
            return new RetriableException("closed", "the sink is closed", e);
        }
        return new RetriableException("kafka", "cannot produce to " + topic + " on " + system.address() + ": " + message, e);
    }

    /** False only when the cluster answers that the topic does not exist; true when it exists or cannot be asked. */
    private boolean topicExists() {
        try {
            admin().describeTopics(List.of(topic), new DescribeTopicsOptions().timeoutMs((int) system.requestTimeout().toMillis()))
                    .allTopicNames().get(system.requestTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            return !(e.getCause() instanceof UnknownTopicOrPartitionException);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        } catch (TimeoutException | RuntimeException e) {
            return true;
        }
    }

    private synchronized KafkaProducer<byte[], byte[]> producer() {
        if (closed) {
            throw new RetriableException("closed", "the sink is closed", null);
        }
        if (producer == null) {
            Map<String, Object> p = system.clientProperties("junction-" + context.integration() + "-producer");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
            p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, sendTimeout.toMillis());
            int request = (int) Math.min(system.requestTimeout().toMillis(), sendTimeout.toMillis() / 2);
            p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, request);
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(sendTimeout.toMillis(), request + 5L));
            producer = KafkaSystem.inPluginClassLoader(() -> new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer()));
        }
        return producer;
    }

    private synchronized Admin admin() {
        if (admin == null) {
            Map<String, Object> p = system.clientProperties("junction-" + context.integration() + "-producer-admin");
            p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) system.requestTimeout().toMillis());
            admin = KafkaSystem.inPluginClassLoader(() -> Admin.create(p));
        }
        return admin;
    }

    @Override
    public CompletionStage<Void> close() {
        return CompletableFuture.runAsync(() -> {
            KafkaProducer<byte[], byte[]> p;
            Admin a;
            synchronized (this) {
                closed = true;
                p = producer;
                a = admin;
                producer = null;
                admin = null;
            }
            if (p != null) {
                p.close(Duration.ofSeconds(5));
            }
            if (a != null) {
                a.close(Duration.ofSeconds(5));
            }
        }, context.blockingExecutor());
    }
}
