package dev.junction.connectors.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import dev.junction.connectors.api.IngestResult;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceInstance;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one queue. Each delivery is handed to the inbox and acknowledged on the channel only once the inbox answers that it
 * holds it (accepted, or a duplicate). When the inbox refuses (the journal is down, a partition recovers) the delivery is kept
 * unacknowledged for the refusal's {@code retryAfter} and then released back to the queue ({@code nack}, requeue): with the
 * prefetch window full of held deliveries the broker sends nothing more, so the consumer backs off by itself. A delivery the
 * source cannot use (no usable key, a body that is not JSON, a key reused with another body) is never acknowledged silently:
 * see {@link Deliveries}.
 *
 * <p>Connections: opened on the blocking executor when started, and again with back-off until the broker answers; once open,
 * the client's automatic recovery reconnects and re-subscribes by itself. A delivery answered after its connection was lost
 * cannot be acknowledged (the client drops acks of an old channel): the broker delivers it again, and the inbox answers it as
 * a duplicate. Every state change goes to the source's status.
 *
 * <p>Threads: the client calls {@code handleDelivery} on its own consumer threads; the inbox answers on Pekko's; acks and
 * nacks are made there (the client's channel methods are thread-safe for single-frame methods). {@link #stop()} cancels the
 * consumer, waits up to {@value #DRAIN_SECONDS} s for the deliveries in hand to be answered and acknowledged, then closes the
 * connection: whatever is still unacknowledged goes back to the queue.
 */
final class AmqpSource implements SourceInstance {
    private static final Logger log = LoggerFactory.getLogger(AmqpSource.class);
    private static final int DRAIN_SECONDS = 10;
    private static final Duration MAX_RECONNECT = Duration.ofSeconds(30);

    private final AmqpSourceSettings settings;
    private final AmqpSystem system;
    private final SourceContext context;
    private final Deliveries deliveries;
    private final AtomicInteger inHand = new AtomicInteger();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile Connection connection;
    private volatile Channel channel;
    private volatile String consumerTag;
    private volatile boolean stopping;
    private CompletableFuture<Void> stopped;

    AmqpSource(AmqpSourceSettings settings, AmqpSystem system, SourceContext context) {
        this.settings = settings;
        this.system = system;
        this.context = context;
        this.deliveries = new Deliveries(settings, context);
    }

    @Override
    public void start() {
        connectAfter(Duration.ZERO, Duration.ofSeconds(1));
    }

    private void connectAfter(Duration delay, Duration nextDelay) {
        CompletableFuture.runAsync(() -> connect(nextDelay),
                CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, context.blockingExecutor()));
    }

    /** Connects and subscribes; on failure reports it and tries again after {@code retryIn}, doubling up to 30 s. */
    private void connect(Duration retryIn) {
        if (stopping) {
            return;
        }
        Connection opened = null;
        try {
            opened = system.connect(context.integration());
            Channel ch = opened.createChannel();
            ch.basicQos(settings.prefetch());
            settings.declare().ifPresent(d -> declare(ch, d));
            watch(opened);
            connection = opened;
            channel = ch;
            synchronized (this) {
                if (stopping) {
                    closeQuietly();
                    return;
                }
                consumerTag = ch.basicConsume(settings.queue(), false, "junction-" + context.integration(), new Consumer(ch));
            }
            context.status().connected("queue " + settings.queue() + " on " + system.address());
        } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException e) {
            if (opened != null) {
                try {
                    opened.abort(1000);
                } catch (RuntimeException ignored) {
                    // already gone
                }
            }
            connection = null;
            channel = null;
            String reason = reason(e);
            context.status().disconnected(reason, retryIn);
            log.debug("{}: cannot consume {} on {}: {}", context.integration(), settings.queue(), system.address(), reason);
            Duration next = retryIn.multipliedBy(2).compareTo(MAX_RECONNECT) > 0 ? MAX_RECONNECT : retryIn.multipliedBy(2);
            connectAfter(retryIn, next);
        }
    }

    private void declare(Channel ch, AmqpSourceSettings.Declare d) {
        try {
            java.util.Map<String, Object> arguments = new java.util.HashMap<>();
            arguments.put("x-queue-type", d.queueType());
            if (!d.deadLetterExchange().isEmpty()) {
                arguments.put("x-dead-letter-exchange", d.deadLetterExchange());
            }
            ch.queueDeclare(settings.queue(), d.durable(), false, false, arguments);
            if (!d.exchange().isEmpty()) {
                ch.exchangeDeclare(d.exchange(), d.exchangeType(), d.durable());
                for (String key : d.routingKeys()) {
                    ch.queueBind(settings.queue(), d.exchange(), key);
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Reports what the client's automatic recovery does with the connection. */
    private void watch(Connection opened) {
        opened.addShutdownListener(cause -> {
            if (!stopping && !cause.isInitiatedByApplication()) {
                context.status().disconnected("connection lost: " + reason(cause), system.recoveryInterval());
            }
        });
        if (opened instanceof Recoverable recoverable) {
            recoverable.addRecoveryListener(new RecoveryListener() {
                @Override
                public void handleRecovery(Recoverable recovered) {
                    context.status().connected("queue " + settings.queue() + " on " + system.address() + " (reconnected)");
                }

                @Override
                public void handleRecoveryStarted(Recoverable recovering) {
                    // reported by the shutdown listener
                }
            });
        }
    }

    /** Receives deliveries on the client's consumer threads. */
    private final class Consumer extends DefaultConsumer {
        Consumer(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            Channel ch = getChannel();
            long deliveryTag = envelope.getDeliveryTag();
            if (stopping) {
                settle(() -> ch.basicNack(deliveryTag, false, true)); // arrived after the cancel: back to the queue
                return;
            }
            inHand.incrementAndGet();
            CompletionStage<Deliveries.Verdict> verdict;
            try {
                verdict = deliveries.take(envelope, properties, body);
            } catch (RuntimeException e) {
                verdict = CompletableFuture.completedFuture(Deliveries.Verdict.release(Duration.ofSeconds(1), e.toString()));
            }
            verdict.whenComplete((v, failure) -> {
                try {
                    act(ch, deliveryTag, failure != null ? Deliveries.Verdict.release(Duration.ofSeconds(1), failure.toString()) : v);
                } finally {
                    if (inHand.decrementAndGet() == 0 && stopping) {
                        drained.complete(null);
                    }
                }
            });
        }

        @Override
        public void handleCancel(String tag) {
            // the queue was deleted: say so; the client's recovery cannot bring a consumer back to a queue that is gone
            context.status().disconnected("the broker cancelled the consumer (queue " + settings.queue() + " deleted?)", null);
        }
    }

    private void act(Channel ch, long tag, Deliveries.Verdict verdict) {
        switch (verdict.action()) {
            case ACK -> settle(() -> ch.basicAck(tag, false));
            case REJECT -> settle(() -> ch.basicReject(tag, false)); // to the queue's dead-letter exchange
            case RELEASE -> {
                // Held for the inbox's retry-after: a full prefetch window of held deliveries is the back-off.
                inHand.incrementAndGet();
                CompletableFuture.delayedExecutor(verdict.delay().toMillis(), TimeUnit.MILLISECONDS, context.blockingExecutor())
                        .execute(() -> {
                            try {
                                settle(() -> ch.basicNack(tag, false, true));
                            } finally {
                                if (inHand.decrementAndGet() == 0 && stopping) {
                                    drained.complete(null);
                                }
                            }
                        });
            }
        }
    }

    /** An ack or nack; on a channel that closed meanwhile it is lost and the broker delivers the message again. */
    private void settle(ChannelAction action) {
        try {
            action.run();
        } catch (IOException | RuntimeException e) {
            log.debug("{}: could not settle a delivery ({}); the broker delivers it again", context.integration(), e.toString());
        }
    }

    @FunctionalInterface
    private interface ChannelAction {
        void run() throws IOException;
    }

    @Override
    public synchronized CompletionStage<Void> stop() {
        if (stopped != null) {
            return stopped;
        }
        stopping = true;
        if (inHand.get() == 0) {
            drained.complete(null);
        }
        stopped = CompletableFuture.runAsync(() -> {
            Channel ch = channel;
            String tag = consumerTag;
            if (ch != null && tag != null) {
                settle(() -> ch.basicCancel(tag));
            }
        }, context.blockingExecutor())
                .thenCompose(x -> drained.completeOnTimeout(null, DRAIN_SECONDS, TimeUnit.SECONDS))
                .thenRunAsync(this::closeQuietly, context.blockingExecutor());
        return stopped;
    }

    private void closeQuietly() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close(5000);
            } catch (IOException | RuntimeException e) {
                c.abort(1000);
            }
        }
    }

    private static String reason(Throwable e) {
        Throwable root = e;
        while (!(root instanceof ShutdownSignalException) && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
