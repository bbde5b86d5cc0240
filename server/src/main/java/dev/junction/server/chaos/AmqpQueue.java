package dev.junction.server.chaos;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import dev.junction.connectors.api.KeyRule;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plays an {@code amqp} source's publisher: declares a queue of the run's own next to the user's ({@code <queue>.chaos-<run>},
 * not durable, bound to nothing), points the source at it with its {@code declare} block removed (so it binds nothing to the
 * user's exchanges) and publishes each message there through the default exchange, persistent, with publisher confirms, its
 * key as the {@code message-id} property or the header its rule names (or in the body). The user's queue is never declared,
 * read or published to. The run's queues are deleted on {@link #close}.
 */
final class AmqpQueue implements Feed {
    private final String run = Long.toString(System.currentTimeMillis(), 36);
    /** By broker URI. */
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    private final Map<String, Channel> channels = new ConcurrentHashMap<>();
    private final Map<String, String> queues = new ConcurrentHashMap<>();

    private String queue(Driven d) {
        return d.source().getString("queue") + ".chaos-" + run;
    }

    /**
     * Declares the run's queue on the source's broker (one connection per broker, one confirming channel per integration).
     */
    @Override
    public void open(Driven d) throws UsageException {
        try {
            String uri = d.system().getString("uri");
            Connection connection = connections.get(uri);
            if (connection == null) {
                ConnectionFactory factory = new ConnectionFactory();
                factory.setUri(uri);
                factory.setConnectionTimeout(10_000);
                connection = factory.newConnection("junction-chaos-" + run);
                connections.put(uri, connection);
            }
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            channel.queueDeclare(queue(d), false, false, false, null);
            channels.put(d.integration(), channel);
            queues.put(d.integration(), queue(d));
        } catch (Exception e) {
            throw new UsageException("integration " + d.integration() + ": cannot declare the run's queue " + queue(d)
                    + " on its broker: " + e.getMessage());
        }
    }

    @Override
    public Config adjust(Config all, Driven d) {
        String at = "junction.integrations." + com.typesafe.config.ConfigUtil.joinPath(d.integration()) + ".source.amqp";
        return all.withoutPath(at + ".declare")
                .withValue(at + ".queue", ConfigValueFactory.fromAnyRef(queue(d)))
                .withValue(at + ".broker-dead-letters", ConfigValueFactory.fromAnyRef(false));
    }

    @Override
    public CompletableFuture<Sent> put(Driven d, Inputs.Message message, String kind) {
        long sentAt = System.currentTimeMillis();
        String where = "a message on queue " + queue(d);
        AMQP.BasicProperties.Builder properties = new AMQP.BasicProperties.Builder().deliveryMode(2).contentType("application/json");
        if (d.key() instanceof KeyRule.Native) {
            properties.messageId(message.key());
        } else if (message.header() != null) {
            properties.headers(Map.of(message.header(), message.key()));
        }
        Channel channel = channels.get(d.integration());
        try {
            synchronized (channel) {
                channel.basicPublish("", queue(d), properties.build(), message.body().toString().getBytes(StandardCharsets.UTF_8));
                channel.waitForConfirmsOrDie(10_000);
            }
            return CompletableFuture.completedFuture(Feed.putIn(d, message, kind, sentAt, where));
        } catch (Exception e) {
            return CompletableFuture.completedFuture(Feed.notPutIn(d, message, kind, sentAt, where, e));
        }
    }

    @Override
    public String describe(Driven d) {
        return "messages published to the run's queue " + queue(d) + " (deleted after the run; " + d.source().getString("queue")
                + " is not touched)";
    }

    @Override
    public void close() {
        for (Map.Entry<String, Channel> e : channels.entrySet()) {
            try {
                e.getValue().queueDelete(queues.get(e.getKey()));
            } catch (Exception ignored) {
                // the broker deletes nothing more on a channel it has closed; the queue is left, named after the run
            }
        }
        for (Connection c : List.copyOf(connections.values())) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing at the end of the run: nothing left to report it to
            }
        }
    }
}
