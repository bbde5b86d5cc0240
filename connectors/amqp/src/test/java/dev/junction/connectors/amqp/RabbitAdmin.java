package dev.junction.connectors.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The RabbitMQ on 127.0.0.1:5672, administered with {@code rabbitmqctl} as the tests need: a vhost of the test's own
 * (created, granted to guest, deleted), queue depths that count unacknowledged messages too, and closing connections from
 * the broker's side.
 */
final class RabbitAdmin implements AutoCloseable {
    final String vhost = "junction-test-" + UUID.randomUUID().toString().substring(0, 8);

    RabbitAdmin() throws Exception {
        ctl("add_vhost", vhost);
        ctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*");
    }

    /** The AMQP URI of the test's vhost. */
    String uri() {
        return "amqp://guest:guest@127.0.0.1:5672/" + vhost;
    }

    /** Messages in {@code queue}, ready and unacknowledged; 0 when it does not exist. */
    long depth(String queue) throws Exception {
        for (String line : ctl("list_queues", "-p", vhost, "--no-table-headers", "--quiet", "name", "messages").lines().toList()) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length == 2 && cols[0].equals(queue)) {
                return Long.parseLong(cols[1]);
            }
        }
        return 0;
    }

    /** Closes every client connection to the test's vhost, as a broker restart or a network cut would. */
    void closeConnections() throws Exception {
        ctl("close_all_connections", "-p", vhost, "closed by the test");
    }

    /** A connection of the test's own to its vhost, for publishing and declaring. */
    Connection connect() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(uri());
        return factory.newConnection("test");
    }

    /** Declares a durable queue, with a dead-letter exchange and its queue when {@code dlx} is given. */
    void declareQueue(String queue, String dlx) throws Exception {
        try (Connection c = connect(); Channel ch = c.createChannel()) {
            java.util.Map<String, Object> args = new java.util.HashMap<>();
            if (dlx != null) {
                ch.exchangeDeclare(dlx, "fanout", true);
                ch.queueDeclare(dlx + ".queue", true, false, false, null);
                ch.queueBind(dlx + ".queue", dlx, "");
                args.put("x-dead-letter-exchange", dlx);
            }
            ch.queueDeclare(queue, true, false, false, args);
        }
    }

    /** Publishes each body to {@code queue} (default exchange), persistent, with the message id given (none when null). */
    void publish(String queue, List<String[]> idAndBody) throws Exception {
        try (Connection c = connect(); Channel ch = c.createChannel()) {
            ch.confirmSelect();
            for (String[] m : idAndBody) {
                var props = new com.rabbitmq.client.AMQP.BasicProperties.Builder().deliveryMode(2).contentType("application/json")
                        .messageId(m[0]).build();
                ch.basicPublish("", queue, props, m[1].getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(30_000);
        }
    }

    static String ctl(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("rabbitmqctl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("rabbitmqctl " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        ctl("delete_vhost", vhost);
    }
}
