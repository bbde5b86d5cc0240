package dev.junction.connectors.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.ShutdownSignalException;
import dev.junction.connectors.api.PermanentException;
import dev.junction.connectors.api.RetriableException;
import dev.junction.connectors.api.SinkContext;
import dev.junction.connectors.api.SinkInstance;
import dev.junction.connectors.api.SinkRecord;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes to one exchange on a channel in confirm mode. An attempt completes when the broker confirms the message (it is
 * then in every queue it was routed to, persistent); a message the broker returns as unroutable ({@code mandatory}) fails as
 * permanent, a nack, a lost connection or a missing confirm as retriable. The broker closing the channel for a missing
 * exchange (404) or a refused permission (403) is permanent: retrying will not create the exchange.
 *
 * <p>Threads: {@link #send} hands the publish to the blocking executor (a broker under a resource alarm blocks publishers);
 * confirms and returns arrive on the client's connection thread. Publishes on the channel are serialized. The connection is
 * opened on the first attempt and recovered by the client; a channel closed by the broker is opened again on the next attempt.
 */
final class AmqpSink implements SinkInstance {
    /** Publishes waiting for their confirm, by the channel's sequence number. */
    private record Pending(String messageId, CompletableFuture<Void> done) {}

    private final AmqpSystem system;
    private final SinkContext context;
    private final String exchange;
    private final String routingKey;
    private final boolean mandatory;
    private final List<String> headers;
    private final Duration confirmTimeout;
    private final ConcurrentNavigableMap<Long, Pending> unconfirmed = new ConcurrentSkipListMap<>();
    /** Why the broker returned a message, by its message id, until its confirm arrives (a return comes before its ack). */
    private final Map<String, String> returned = new ConcurrentHashMap<>();
    private Connection connection;
    private Channel channel;
    private boolean closed;

    AmqpSink(AmqpSystem system, SinkContext context, String exchange, String routingKey, boolean mandatory, List<String> headers,
             Duration confirmTimeout) {
        this.system = system;
        this.context = context;
        this.exchange = exchange;
        this.routingKey = routingKey;
        this.mandatory = mandatory;
        this.headers = List.copyOf(headers);
        this.confirmTimeout = confirmTimeout;
    }

    @Override
    public CompletionStage<Void> send(SinkRecord record) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            context.blockingExecutor().execute(() -> publish(record, done));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            done.completeExceptionally(new RetriableException("closed", "the node is shutting down", e));
        }
        return done.orTimeout(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(e -> {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof TimeoutException) {
                unconfirmed.values().removeIf(p -> p.done() == done);
                return CompletableFuture.failedFuture(new RetriableException("timeout", "the broker did not confirm within "
                        + confirmTimeout.toMillis() + " ms", null));
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    private synchronized void publish(SinkRecord record, CompletableFuture<Void> done) {
        try {
            Channel ch = channel();
            long sequence = ch.getNextPublishSeqNo();
            unconfirmed.put(sequence, new Pending(record.idempotencyKey(), done));
            ch.basicPublish(exchange, routingKey, mandatory, properties(record), record.payloadBytes());
        } catch (IOException | RuntimeException e) {
            unconfirmed.values().removeIf(p -> p.done() == done);
            done.completeExceptionally(classify(e));
        }
    }

    private AMQP.BasicProperties properties(SinkRecord record) {
        Map<String, Object> amqpHeaders = new HashMap<>();
        amqpHeaders.put("junction-message-id", record.messageId());
        amqpHeaders.put("junction-integration", record.integration());
        for (String name : headers) {
            String value = record.headers().get(name);
            if (value != null) {
                amqpHeaders.put(name, value);
            }
        }
        return new AMQP.BasicProperties.Builder()
                .messageId(record.idempotencyKey())
                .contentType("application/json")
                .deliveryMode(2)
                .timestamp(new java.util.Date())
                .headers(amqpHeaders)
                .build();
    }

    /** The open channel in confirm mode, opened (with its connection) when there is none. Called holding the lock. */
    private Channel channel() throws IOException {
        if (closed) {
            throw new RetriableException("closed", "the sink is closed", null);
        }
        if (channel != null && channel.isOpen()) {
            return channel;
        }
        if (connection != null && !connection.isOpen()) {
            // the client's automatic recovery is reconnecting; the attempt is retried after back-off
            throw new RetriableException("connection", "reconnecting to " + system.address(), null);
        }
        if (connection == null) {
            try {
                connection = system.connect(context.integration() + "-publisher");
            } catch (TimeoutException e) {
                throw new IOException("timed out connecting to " + system.address(), e);
            }
        }
        Channel opened = connection.createChannel();
        opened.confirmSelect();
        opened.addConfirmListener(new ConfirmListener() {
            @Override
            public void handleAck(long sequence, boolean multiple) {
                settle(sequence, multiple, null);
            }

            @Override
            public void handleNack(long sequence, boolean multiple) {
                settle(sequence, multiple, new RetriableException("nacked", "the broker could not take the message (nack)", null));
            }
        });
        opened.addReturnListener(r -> returned.put(String.valueOf(r.getProperties().getMessageId()),
                r.getReplyCode() + " " + r.getReplyText() + ": exchange " + r.getExchange() + " routes " + r.getRoutingKey() + " to no queue"));
        opened.addShutdownListener(cause -> failAll(opened, classify(cause)));
        channel = opened;
        return opened;
    }

    private void settle(long sequence, boolean multiple, RuntimeException failure) {
        ConcurrentNavigableMap<Long, Pending> settled = multiple ? unconfirmed.headMap(sequence, true) : unconfirmed.subMap(sequence, true, sequence, true);
        for (Map.Entry<Long, Pending> entry : settled.entrySet()) {
            Pending p = entry.getValue();
            unconfirmed.remove(entry.getKey());
            String unroutable = returned.remove(p.messageId());
            if (failure != null) {
                p.done().completeExceptionally(failure);
            } else if (unroutable != null) {
                p.done().completeExceptionally(new PermanentException("unroutable", "the broker returned the message: " + unroutable));
            } else {
                p.done().complete(null);
            }
        }
    }

    /** The channel closed: every publish still waiting for its confirm fails with why. */
    private void failAll(Channel closedChannel, RuntimeException why) {
        synchronized (this) {
            if (channel == closedChannel) {
                channel = null;
            }
        }
        unconfirmed.values().forEach(p -> p.done().completeExceptionally(why));
        unconfirmed.clear();
        returned.clear();
    }

    /** A missing exchange or a refused permission will not mend by itself; anything else is worth another attempt. */
    private RuntimeException classify(Throwable e) {
        if (e instanceof RetriableException r) {
            return r;
        }
        ShutdownSignalException signal = e instanceof ShutdownSignalException s ? s
                : e.getCause() instanceof ShutdownSignalException s ? s : null;
        if (signal != null && signal.getReason() instanceof AMQP.Channel.Close close && (close.getReplyCode() == 404 || close.getReplyCode() == 403)) {
            return new PermanentException(close.getReplyCode() == 404 ? "not-found" : "access-refused",
                    "the broker closed the channel: " + close.getReplyCode() + " " + close.getReplyText());
        }
        if (signal != null && signal.isInitiatedByApplication()) {
            return new RetriableException("closed", "the sink was closed", null);
        }
        return new RetriableException("connection", "cannot publish to " + system.address() + ": " + e.getMessage(), e);
    }

    @Override
    public CompletionStage<Void> close() {
        return CompletableFuture.runAsync(() -> {
            Connection c;
            synchronized (this) {
                closed = true;
                c = connection;
                connection = null;
                channel = null;
            }
            if (c != null) {
                try {
                    c.close(5000);
                } catch (IOException | RuntimeException e) {
                    c.abort(1000);
                }
            }
        }, context.blockingExecutor());
    }
}
