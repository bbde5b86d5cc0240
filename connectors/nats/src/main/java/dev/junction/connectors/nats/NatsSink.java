package dev.junction.connectors.nats;

import dev.junction.connectors.api.PermanentException;
import dev.junction.connectors.api.RetriableException;
import dev.junction.connectors.api.SinkContext;
import dev.junction.connectors.api.SinkInstance;
import dev.junction.connectors.api.SinkRecord;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.PublishOptions;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes to one subject through JetStream. An attempt completes when the stream acknowledges the message (it is stored,
 * or was a duplicate of the same {@code Nats-Msg-Id}); no stream capturing the subject, a message over the server's maximum
 * payload or a refusal by the stream's API fails as permanent; a lost connection or a missing acknowledgement as retriable.
 *
 * <p>Threads: {@link #send} connects on the blocking executor when there is no connection; the client then reconnects by
 * itself, and acknowledgements complete the attempts on its threads.
 */
final class NatsSink implements SinkInstance {
    private final NatsSystem system;
    private final SinkContext context;
    private final String subject;
    private final List<String> headers;
    private final Duration publishTimeout;
    private Connection connection;
    private JetStream jetStream;
    private boolean closed;

    NatsSink(NatsSystem system, SinkContext context, String subject, List<String> headers, Duration publishTimeout) {
        this.system = system;
        this.context = context;
        this.subject = subject;
        this.headers = List.copyOf(headers);
        this.publishTimeout = publishTimeout;
    }

    @Override
    public CompletionStage<Void> send(SinkRecord record) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            context.blockingExecutor().execute(() -> publish(record, done));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            done.completeExceptionally(new RetriableException("closed", "the node is shutting down", e));
        }
        return done.orTimeout(publishTimeout.toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof TimeoutException) {
                return CompletableFuture.failedFuture(new RetriableException("timeout", "the stream did not acknowledge within "
                        + publishTimeout.toMillis() + " ms", null));
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    private void publish(SinkRecord record, CompletableFuture<Void> done) {
        try {
            Headers natsHeaders = new Headers();
            natsHeaders.put("junction-message-id", record.messageId());
            natsHeaders.put("junction-integration", record.integration());
            natsHeaders.put("Content-Type", "application/json");
            for (String name : headers) {
                String value = record.headers().get(name);
                if (value != null) {
                    natsHeaders.put(name, value);
                }
            }
            PublishOptions options = PublishOptions.builder().messageId(record.idempotencyKey()).build();
            jetStream().publishAsync(subject, natsHeaders, record.payloadBytes(), options).whenComplete((ack, failure) -> {
                if (failure == null) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(classify(failure));
                }
            });
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            done.completeExceptionally(classify(e));
        }
    }

    private synchronized JetStream jetStream() throws IOException, InterruptedException {
        if (closed) {
            throw new RetriableException("closed", "the sink is closed", null);
        }
        if (connection == null) {
            connection = system.connect("junction-" + context.integration() + "-publisher", (c, event) -> { });
            jetStream = connection.jetStream();
        }
        return jetStream;
    }

    private RuntimeException classify(Throwable failure) {
        Throwable e = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (e instanceof RetriableException r) {
            return r;
        }
        if (e instanceof PermanentException p) {
            return p;
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (message.toLowerCase(java.util.Locale.ROOT).contains("no responders")) {
            return new PermanentException("no-stream", "no JetStream stream captures subject " + subject + " (" + message + ")");
        }
        if (e instanceof JetStreamApiException api) {
            return new PermanentException("refused", "the stream refused the message: " + api.getErrorCode() + " " + api.getErrorDescription());
        }
        if (e instanceof IllegalArgumentException && message.toLowerCase(java.util.Locale.ROOT).contains("payload")) {
            return new PermanentException("too-large", message);
        }
        return new RetriableException("connection", "cannot publish to " + system.address() + ": " + message, e);
    }

    @Override
    public CompletionStage<Void> close() {
        return CompletableFuture.runAsync(() -> {
            Connection c;
            synchronized (this) {
                closed = true;
                c = connection;
                connection = null;
            }
            if (c != null) {
                try {
                    c.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, context.blockingExecutor());
    }
}
