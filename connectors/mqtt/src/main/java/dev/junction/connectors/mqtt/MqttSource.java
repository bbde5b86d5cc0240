package dev.junction.connectors.mqtt;

import dev.junction.connectors.api.Intake;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceInstance;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscribes to a topic filter in a persistent session (clean start off, a session expiry) with manual acknowledgement: each
 * message is handed to the inbox and its PUBACK sent only once the inbox answers that it holds it, so a message in flight when
 * Junction dies, or published while it is away, is sent again by the broker. PUBACKs go out in the order the messages
 * arrived (MQTT asks for it): a message still with the inbox holds back the PUBACKs of those after it. When the inbox refuses
 * (the journal is down, a partition recovers) the message is offered again after the refusal's {@code retryAfter}; MQTT has no
 * way to hand it back to the broker, and with the receive maximum reached the broker sends nothing more, so the source backs
 * off by itself. A message the source cannot use is recorded as a dead letter (see {@link MqttMessages}), then acknowledged.
 *
 * <p>Connections: opened on the blocking executor, and again with doubling back-off after every loss, each time resuming the
 * session and subscribing again (which keeps what the session holds). Packet ids are reused across connections, so the
 * answers to messages of an earlier connection are never acknowledged on a later one: the broker sends those messages again
 * and the inbox answers them as duplicates. Every state change goes to the source's status.
 *
 * <p>Threads: the client calls {@code messageArrived} on its callback thread; the inbox answers on Pekko's; PUBACKs are sent
 * from there under this source's lock, which only ever guards the queue of unacknowledged messages. {@link #stop()} stops
 * taking messages, waits up to {@value #DRAIN_SECONDS} s for those in hand to be answered and acknowledged, then disconnects
 * normally: the broker keeps the session, and with it every message not acknowledged.
 */
final class MqttSource implements SourceInstance, MqttCallback {
    private static final Logger log = LoggerFactory.getLogger(MqttSource.class);
    private static final int DRAIN_SECONDS = 10;
    private static final Duration MAX_RECONNECT = Duration.ofSeconds(30);
    private static final Duration WATCH_INTERVAL = Duration.ofSeconds(1);

    /** A received message until it is acknowledged; {@code connection} numbers the connection it arrived on. */
    private static final class Arrival {
        final long connection;
        final int packetId;
        final int qos;
        boolean answered;

        Arrival(long connection, int packetId, int qos) {
            this.connection = connection;
            this.packetId = packetId;
            this.qos = qos;
        }
    }

    private final MqttSourceSettings settings;
    private final MqttSystem system;
    private final SourceContext context;
    private final MqttMessages messages;
    private final AtomicInteger inHand = new AtomicInteger();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    /** Guards {@link #connection} and {@link #unacknowledged}. */
    private final Object lock = new Object();
    private long connection;
    private final ArrayDeque<Arrival> unacknowledged = new ArrayDeque<>();
    private volatile MqttAsyncClient client;
    private volatile boolean stopping;
    private Duration reconnectDelay;
    /** A connection attempt is scheduled or under way: a lost connection noticed twice must not start two. */
    private final java.util.concurrent.atomic.AtomicBoolean reconnecting = new java.util.concurrent.atomic.AtomicBoolean(true);
    private CompletableFuture<Void> stopped;

    MqttSource(MqttSourceSettings settings, MqttSystem system, SourceContext context) {
        this.settings = settings;
        this.system = system;
        this.context = context;
        this.messages = new MqttMessages(settings, context);
        this.reconnectDelay = system.reconnectDelay();
    }

    @Override
    public void start() {
        connectAfter(Duration.ZERO);
        watchAfter(WATCH_INTERVAL);
    }

    /**
     * Checks the connection every {@link #WATCH_INTERVAL}: the client reports most losses ({@link #disconnected}), and this
     * catches any it does not, so a source never sits disconnected without trying again.
     */
    private void watchAfter(Duration delay) {
        CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, context.blockingExecutor()).execute(() -> {
            if (stopping) {
                return;
            }
            MqttAsyncClient c = client;
            if (c != null && !c.isConnected() && !reconnecting.get()) {
                newConnection();
                lost("connection lost");
            }
            watchAfter(WATCH_INTERVAL);
        });
    }

    private void connectAfter(Duration delay) {
        CompletableFuture.runAsync(this::connect,
                CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, context.blockingExecutor()));
    }

    /** Connects, resuming the session, and subscribes; on failure reports it and tries again with back-off. */
    private void connect() {
        if (stopping) {
            return;
        }
        long timeout = system.connectionTimeout().toMillis() + 1000;
        try {
            MqttAsyncClient c = client;
            if (c == null) {
                c = system.client(settings.clientId());
                c.setManualAcks(true);
                c.setCallback(this);
                client = c;
            }
            newConnection(); // whatever arrives from now on belongs to this connection
            c.connect(system.options(false, settings.sessionExpiry(), settings.receiveMaximum())).waitForCompletion(timeout);
            MqttSubscription subscription = new MqttSubscription(settings.subscription(), 1);
            subscription.setRetainHandling(1); // retained messages only when the subscription is new, not on every reconnect
            IMqttToken subscribed = c.subscribe(subscription);
            subscribed.waitForCompletion(timeout);
            int[] codes = subscribed.getReasonCodes();
            if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                throw new MqttException(codes[0]);
            }
            reconnectDelay = system.reconnectDelay();
            reconnecting.set(false);
            context.status().connected("topic " + settings.subscription() + " on " + system.address() + " as " + settings.clientId());
            if (stopping) {
                disconnectQuietly();
            }
        } catch (MqttException | RuntimeException e) {
            disconnectQuietly();
            discardClient();
            reconnecting.set(false);
            lost(reason(e));
        }
    }

    /** Drops a client whose connection attempt failed; the next attempt starts from a new one with the same client id, so the session resumes. */
    private void discardClient() {
        MqttAsyncClient c = client;
        client = null;
        if (c != null) {
            MqttSystem.discard(c); // seen in MqttConnectorContractIT on a busy machine: the old client never connected again
        }
    }

    private void lost(String reason) {
        if (stopping || !reconnecting.compareAndSet(false, true)) {
            return;
        }
        Duration delay = reconnectDelay;
        reconnectDelay = delay.multipliedBy(2).compareTo(MAX_RECONNECT) > 0 ? MAX_RECONNECT : delay.multipliedBy(2);
        context.status().disconnected(reason, delay);
        log.debug("{}: not subscribed to {} on {}: {}", context.integration(), settings.subscription(), system.address(), reason);
        connectAfter(delay);
    }

    /** Forgets the messages of the connection before: their acknowledgements would name packet ids of another connection. */
    private void newConnection() {
        synchronized (lock) {
            connection++;
            int forgotten = unacknowledged.size();
            unacknowledged.clear();
            if (forgotten > 0) {
                log.debug("{}: {} messages of the lost connection are not acknowledged; the broker sends them again",
                        context.integration(), forgotten);
            }
        }
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        if (stopping) {
            return; // not acknowledged: the broker keeps it in the session
        }
        Arrival arrival;
        synchronized (lock) {
            arrival = new Arrival(connection, message.getId(), message.getQos());
            unacknowledged.addLast(arrival);
        }
        inHand.incrementAndGet();
        offer(topic, message, arrival);
    }

    private void offer(String topic, MqttMessage message, Arrival arrival) {
        CompletionStage<Intake.Outcome> outcome;
        try {
            outcome = messages.take(topic, message);
        } catch (RuntimeException e) {
            outcome = CompletableFuture.completedFuture(new Intake.Outcome.Retry(Duration.ofSeconds(1)));
        }
        outcome.whenComplete((o, failure) -> {
            Intake.Outcome answer = failure != null ? new Intake.Outcome.Retry(Duration.ofSeconds(1)) : o;
            if (answer instanceof Intake.Outcome.Acknowledge) {
                answered(arrival);
            } else if (stopping || isForgotten(arrival)) {
                release(); // left with the broker, which sends it again
            } else {
                Duration after = answer instanceof Intake.Outcome.Retry retry ? retry.after() : Duration.ofSeconds(1);
                CompletableFuture.delayedExecutor(after.toMillis(), TimeUnit.MILLISECONDS, context.blockingExecutor())
                        .execute(() -> offer(topic, message, arrival));
            }
        });
    }

    private boolean isForgotten(Arrival arrival) {
        synchronized (lock) {
            return arrival.connection != connection;
        }
    }

    /** The inbox holds the message: acknowledge it and every answered one behind it, in arrival order. */
    private void answered(Arrival arrival) {
        try {
            synchronized (lock) {
                arrival.answered = true;
                MqttAsyncClient c = client;
                while (!unacknowledged.isEmpty() && unacknowledged.peekFirst().answered) {
                    Arrival next = unacknowledged.pollFirst();
                    if (next.connection == connection && c != null) {
                        try {
                            c.messageArrivedComplete(next.packetId, next.qos);
                        } catch (MqttException | RuntimeException e) {
                            log.debug("{}: could not acknowledge a message ({}); the broker sends it again", context.integration(), e.toString());
                        }
                    }
                }
            }
        } finally {
            release();
        }
    }

    private void release() {
        if (inHand.decrementAndGet() == 0 && stopping) {
            drained.complete(null);
        }
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
        newConnection();
        lost("disconnected by the broker: " + response.getReasonString() + " (" + response.getReturnCode() + ")");
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
        log.debug("{}: MQTT error: {}", context.integration(), exception.toString());
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
        // a source publishes nothing
    }

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
        // reported once subscribed, in connect()
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
        // no enhanced authentication
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
        stopped = drained.completeOnTimeout(null, DRAIN_SECONDS, TimeUnit.SECONDS)
                .thenRunAsync(() -> {
                    disconnectQuietly();
                    MqttAsyncClient c = client;
                    client = null;
                    if (c != null) {
                        try {
                            c.close(true);
                        } catch (MqttException | RuntimeException e) {
                            log.debug("{}: closing the MQTT client: {}", context.integration(), e.toString());
                        }
                    }
                }, context.blockingExecutor());
        return stopped;
    }

    /** A normal DISCONNECT: the broker keeps the session and what it holds. */
    private void disconnectQuietly() {
        MqttAsyncClient c = client;
        if (c == null) {
            return;
        }
        try {
            if (c.isConnected()) {
                c.disconnect(2000).waitForCompletion(5000);
            }
        } catch (MqttException | RuntimeException e) {
            try {
                c.disconnectForcibly(0, 1000, false);
            } catch (MqttException | RuntimeException ignored) {
                // already gone
            }
        }
    }

    private static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return root == e || root.getMessage() == null ? message : message + ": " + root.getMessage();
    }
}
