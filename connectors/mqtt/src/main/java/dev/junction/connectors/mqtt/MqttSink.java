package dev.junction.connectors.mqtt;

import dev.junction.connectors.api.PermanentException;
import dev.junction.connectors.api.RetriableException;
import dev.junction.connectors.api.SinkContext;
import dev.junction.connectors.api.SinkInstance;
import dev.junction.connectors.api.SinkRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * Publishes to one topic. An attempt completes when the broker acknowledges the message (PUBACK for QoS 1, PUBCOMP for 2)
 * with a success reason code; a refusal the broker gives for good (not authorized, a topic name it rejects, a payload
 * format it refuses) fails as permanent, a quota exceeded as throttled, a lost connection or a missing acknowledgement as
 * retriable. Every attempt of one message carries the same idempotency key as a user property.
 *
 * <p>Threads: {@link #send} connects on the blocking executor when there is no connection (clean start: a sink needs no
 * session; what was in flight on a lost connection fails as retriable and is sent again by the server's retry); the
 * broker's acknowledgements complete the attempts on the client's threads.
 */
final class MqttSink implements SinkInstance {
    /** Reason codes that will not change on a retry (MQTT 5, 3.4.2.1). */
    private static final Set<Integer> PERMANENT = Set.of(0x83, 0x87, 0x90, 0x99);
    private static final int QUOTA_EXCEEDED = 0x97;

    /** The target block's settings. */
    record Settings(String topic, int qos, boolean retain, String keyProperty, List<String> headers, Duration publishTimeout) {}

    private final MqttSystem system;
    private final SinkContext context;
    private final Settings settings;
    private MqttAsyncClient client;
    private boolean closed;

    MqttSink(MqttSystem system, SinkContext context, Settings settings) {
        this.system = system;
        this.context = context;
        this.settings = settings;
    }

    @Override
    public CompletionStage<Void> send(SinkRecord record) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            context.blockingExecutor().execute(() -> publish(record, done));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            done.completeExceptionally(new RetriableException("closed", "the node is shutting down", e));
        }
        return done.orTimeout(settings.publishTimeout().toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(e -> {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof TimeoutException) {
                return CompletableFuture.failedFuture(new RetriableException("timeout", "the broker did not acknowledge within "
                        + settings.publishTimeout().toMillis() + " ms", null));
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    private void publish(SinkRecord record, CompletableFuture<Void> done) {
        try {
            MqttMessage message = new MqttMessage(record.payloadBytes(), settings.qos(), settings.retain(), properties(record));
            connected().publish(settings.topic(), message, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    int[] codes = token.getReasonCodes();
                    int code = codes == null || codes.length == 0 ? 0 : codes[0];
                    if (code >= 0x80) {
                        done.completeExceptionally(refused(code));
                    } else {
                        done.complete(null);
                    }
                }

                @Override
                public void onFailure(IMqttToken token, Throwable failure) {
                    done.completeExceptionally(classify(failure));
                }
            });
        } catch (MqttException | RuntimeException e) {
            done.completeExceptionally(classify(e));
        }
    }

    private MqttProperties properties(SinkRecord record) {
        List<UserProperty> user = new ArrayList<>();
        user.add(new UserProperty(settings.keyProperty(), record.idempotencyKey()));
        user.add(new UserProperty("junction-message-id", record.messageId()));
        user.add(new UserProperty("junction-integration", record.integration()));
        for (String name : settings.headers()) {
            String value = record.headers().get(name);
            if (value != null) {
                user.add(new UserProperty(name, value));
            }
        }
        MqttProperties properties = new MqttProperties();
        properties.setUserProperties(user);
        properties.setContentType("application/json");
        properties.setPayloadFormat(true);
        return properties;
    }

    /** The connected client, connecting it when it is not. */
    private synchronized MqttAsyncClient connected() throws MqttException {
        if (closed) {
            throw new RetriableException("closed", "the sink is closed", null);
        }
        if (client != null && client.isConnected()) {
            return client;
        }
        if (client == null) {
            client = system.client("junction-" + context.integration() + "-" + context.system() + "-"
                    + java.util.UUID.randomUUID().toString().substring(0, 8));
        }
        try {
            client.connect(system.options(true, Duration.ZERO, 65_535)).waitForCompletion(system.connectionTimeout().toMillis() + 1000);
        } catch (MqttException | RuntimeException e) {
            MqttSystem.discard(client); // the next call starts from a new client
            client = null;
            throw e;
        }
        return client;
    }

    private RuntimeException refused(int code) {
        String what = "the broker refused the message: reason code 0x" + Integer.toHexString(code);
        if (code == QUOTA_EXCEEDED) {
            return RetriableException.throttled("quota-exceeded", what + " (quota exceeded)", null);
        }
        if (PERMANENT.contains(code)) {
            return new PermanentException(code == 0x87 ? "not-authorized" : "refused", what);
        }
        return new RetriableException("refused", what, null);
    }

    private RuntimeException classify(Throwable e) {
        if (e instanceof RetriableException || e instanceof PermanentException) {
            return (RuntimeException) e;
        }
        if (e instanceof MqttException m && (PERMANENT.contains(m.getReasonCode()) || m.getReasonCode() == QUOTA_EXCEEDED)) {
            return refused(m.getReasonCode());
        }
        return new RetriableException("connection", "cannot publish to " + system.address() + ": " + e.getMessage(), e);
    }

    @Override
    public CompletionStage<Void> close() {
        return CompletableFuture.runAsync(() -> {
            MqttAsyncClient c;
            synchronized (this) {
                closed = true;
                c = client;
                client = null;
            }
            if (c != null) {
                try {
                    if (c.isConnected()) {
                        c.disconnect(2000).waitForCompletion(5000);
                    }
                } catch (MqttException | RuntimeException e) {
                    // closing anyway
                }
                try {
                    c.close(true);
                } catch (MqttException | RuntimeException e) {
                    // gone
                }
            }
        }, context.blockingExecutor());
    }
}
