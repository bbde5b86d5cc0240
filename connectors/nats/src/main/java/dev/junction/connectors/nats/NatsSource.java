package dev.junction.connectors.nats;

import dev.junction.connectors.api.Intake;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceInstance;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.ConsumeOptions;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.MessageConsumer;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes a stream through a durable pull consumer. Each message is handed to the inbox and acknowledged only once the inbox
 * answers that it holds it; when the inbox refuses (the journal is down, a partition recovers) the message is negatively
 * acknowledged with the refusal's {@code retryAfter} as delay, so the server delivers it again then, to this node or another.
 * On a message's last delivery ({@code max-deliver}) a refusal would let the server give up on it, so it is held instead
 * (marked in progress, which restarts its ack wait) and offered to the inbox again by the source. A message the source cannot
 * use is recorded as a dead letter (see {@link NatsMessages}), then acknowledged.
 *
 * <p>Connections: opened on the blocking executor, and again with back-off until the server answers and the consumer exists;
 * once open, the client reconnects by itself and the pull resumes. Acknowledgements are messages to the server: one sent
 * after a reconnect still settles its message. Every state change goes to the source's status.
 *
 * <p>Threads: the client hands messages over on its dispatcher thread; the inbox answers on Pekko's; acks and naks are sent
 * from there (the client is thread-safe). {@link #stop()} stops pulling, waits up to {@value #DRAIN_SECONDS} s for the
 * messages in hand to be answered and acknowledged, then closes the connection: what is still unacknowledged is delivered
 * again after its ack wait.
 */
final class NatsSource implements SourceInstance, ConnectionListener {
    private static final Logger log = LoggerFactory.getLogger(NatsSource.class);
    private static final int DRAIN_SECONDS = 10;
    private static final Duration MAX_RECONNECT = Duration.ofSeconds(30);

    private final NatsSourceSettings settings;
    private final NatsSystem system;
    private final SourceContext context;
    private final NatsMessages messages;
    private final AtomicInteger inHand = new AtomicInteger();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile Connection connection;
    private volatile MessageConsumer consumer;
    private volatile io.nats.client.ConsumerContext consumerContext;
    private volatile boolean stopping;
    private CompletableFuture<Void> stopped;

    NatsSource(NatsSourceSettings settings, NatsSystem system, SourceContext context) {
        this.settings = settings;
        this.system = system;
        this.context = context;
        this.messages = new NatsMessages(settings, context);
    }

    @Override
    public void start() {
        connectAfter(Duration.ZERO, Duration.ofSeconds(1));
    }

    private void connectAfter(Duration delay, Duration nextDelay) {
        CompletableFuture.runAsync(() -> connect(nextDelay),
                CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, context.blockingExecutor()));
    }

    /** Connects, creates or updates the durable consumer, and starts pulling; on failure tries again after {@code retryIn}. */
    private void connect(Duration retryIn) {
        if (stopping) {
            return;
        }
        Connection opened = null;
        try {
            opened = system.connect("junction-" + context.integration(), this);
            if (settings.createConsumer()) {
                ConsumerConfiguration.Builder config = ConsumerConfiguration.builder()
                        .durable(settings.consumer())
                        .ackPolicy(AckPolicy.Explicit)
                        .ackWait(settings.ackWait())
                        .maxDeliver(settings.maxDeliver());
                if (!settings.filterSubject().isEmpty()) {
                    config.filterSubject(settings.filterSubject());
                }
                opened.jetStreamManagement().addOrUpdateConsumer(settings.stream(), config.build());
            }
            consumerContext = opened.getStreamContext(settings.stream()).getConsumerContext(settings.consumer());
            connection = opened;
            synchronized (this) {
                if (stopping) {
                    closeQuietly();
                    return;
                }
                consumer = consumerContext.consume(ConsumeOptions.builder().batchSize(settings.batch()).build(), this::handle);
            }
            context.status().connected("consumer " + settings.consumer() + " of stream " + settings.stream() + " on " + system.address());
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            connection = null;
            if (opened != null) {
                try {
                    opened.close();
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            context.status().disconnected(reason, retryIn);
            log.debug("{}: cannot consume {} of stream {} on {}: {}", context.integration(), settings.consumer(), settings.stream(),
                    system.address(), reason);
            Duration next = retryIn.multipliedBy(2).compareTo(MAX_RECONNECT) > 0 ? MAX_RECONNECT : retryIn.multipliedBy(2);
            connectAfter(retryIn, next);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void connectionEvent(Connection conn, Events type) {
        if (stopping) {
            return;
        }
        switch (type) {
            case DISCONNECTED -> context.status().disconnected("connection lost", system.reconnectWait());
            case RECONNECTED -> {
                // the server forgot this connection's pull requests: pull again from a fresh consumer (messages in hand
                // are still acknowledged; acks are plain messages, valid on any connection)
                context.blockingExecutor().execute(this::pullAgain);
                context.status().connected("consumer " + settings.consumer() + " of stream " + settings.stream() + " on "
                        + system.address() + " (reconnected)");
            }
            default -> { }
        }
    }

    private synchronized void pullAgain() {
        io.nats.client.ConsumerContext cc = consumerContext;
        if (stopping || cc == null) {
            return;
        }
        MessageConsumer old = consumer;
        if (old != null) {
            old.stop();
        }
        try {
            consumer = cc.consume(ConsumeOptions.builder().batchSize(settings.batch()).build(), this::handle);
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            log.debug("{}: cannot pull again after a reconnect: {}", context.integration(), e.toString());
            context.status().disconnected("cannot pull after a reconnect: " + e.getMessage(), Duration.ofSeconds(1));
            CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS, context.blockingExecutor()).execute(this::pullAgain);
        }
    }

    private void handle(Message message) {
        if (stopping) {
            message.nak(); // arrived after the stop: to another node now, or to this one after its restart
            return;
        }
        inHand.incrementAndGet();
        offer(message);
    }

    private void offer(Message message) {
        CompletionStage<Intake.Outcome> outcome;
        try {
            outcome = messages.take(message);
        } catch (RuntimeException e) {
            outcome = CompletableFuture.completedFuture(new Intake.Outcome.Retry(Duration.ofSeconds(1)));
        }
        outcome.whenComplete((o, failure) -> {
            Intake.Outcome answer = failure != null ? new Intake.Outcome.Retry(Duration.ofSeconds(1)) : o;
            try {
                if (answer instanceof Intake.Outcome.Acknowledge) {
                    message.ack();
                    release();
                    return;
                }
                Duration after = answer instanceof Intake.Outcome.Retry retry ? retry.after() : Duration.ofSeconds(1);
                if (isLastDelivery(message) && !stopping) {
                    message.inProgress(); // the server would give up on it: keep it, and offer it again ourselves
                    CompletableFuture.delayedExecutor(after.toMillis(), TimeUnit.MILLISECONDS, context.blockingExecutor())
                            .execute(() -> offer(message));
                } else {
                    message.nakWithDelay(after);
                    release();
                }
            } catch (RuntimeException e) {
                log.debug("{}: could not settle a message ({}); the server delivers it again", context.integration(), e.toString());
                release();
            }
        });
    }

    private boolean isLastDelivery(Message message) {
        return settings.maxDeliver() > 0 && message.isJetStream() && message.metaData().deliveredCount() >= settings.maxDeliver();
    }

    private void release() {
        if (inHand.decrementAndGet() == 0 && stopping) {
            drained.complete(null);
        }
    }

    @Override
    public synchronized CompletionStage<Void> stop() {
        if (stopped != null) {
            return stopped;
        }
        stopping = true;
        MessageConsumer c = consumer;
        if (c != null) {
            c.stop();
        }
        if (inHand.get() == 0) {
            drained.complete(null);
        }
        stopped = drained.completeOnTimeout(null, DRAIN_SECONDS, TimeUnit.SECONDS).thenRunAsync(this::closeQuietly, context.blockingExecutor());
        return stopped;
    }

    private void closeQuietly() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                MessageConsumer mc = consumer;
                if (mc != null) {
                    mc.close();
                }
                c.close();
            } catch (Exception e) {
                log.debug("{}: closing the NATS connection: {}", context.integration(), e.toString());
            }
        }
    }
}
