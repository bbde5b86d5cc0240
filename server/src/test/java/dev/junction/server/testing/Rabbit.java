package dev.junction.server.testing;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A vhost of the test's own on the RabbitMQ at 127.0.0.1:5672 (created and granted to guest with {@code rabbitmqctl}, deleted
 * at the end), with what the server's AMQP tests need: declaring, publishing, and queue depths that count unacknowledged
 * messages too. Also where the build left the amqp plugin.
 */
public final class Rabbit implements AutoCloseable {
    public final String vhost = "junction-it-" + UUID.randomUUID().toString().substring(0, 8);
    private final Connection connection;

    public Rabbit() throws Exception {
        ctl("add_vhost", vhost);
        ctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*");
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(uri());
        connection = factory.newConnection("junction-test");
    }

    /** The directory holding the amqp plugin folder (set by the build), checked to exist. */
    public static Path pluginDirectory() {
        Path dir = Path.of(System.getProperty("test.plugin.dir", "../connectors/amqp/target/plugin")).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("amqp"))) {
            throw new IllegalStateException("the amqp plugin is not built at " + dir + ": run the whole build (mvn verify), or "
                    + "mvn -pl connectors/amqp -am package first");
        }
        return dir;
    }

    public String uri() {
        return "amqp://guest:guest@127.0.0.1:5672/" + vhost;
    }

    /** A durable queue; with {@code deadLetterExchange}, bound through that exchange to {@code <queue>.dead}. */
    public void declareQueue(String queue, String deadLetterExchange) throws IOException, java.util.concurrent.TimeoutException {
        try (Channel ch = connection.createChannel()) {
            java.util.Map<String, Object> args = new java.util.HashMap<>();
            if (deadLetterExchange != null) {
                ch.exchangeDeclare(deadLetterExchange, "fanout", true);
                ch.queueDeclare(queue + ".dead", true, false, false, null);
                ch.queueBind(queue + ".dead", deadLetterExchange, "");
                args.put("x-dead-letter-exchange", deadLetterExchange);
            }
            ch.queueDeclare(queue, true, false, false, args);
        }
    }

    /** Publishes persistent JSON messages to {@code queue}, each {messageId, body}; a null id publishes without one. */
    public void publish(String queue, List<String[]> messages) throws Exception {
        try (Channel ch = connection.createChannel()) {
            ch.confirmSelect();
            for (String[] m : messages) {
                AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().deliveryMode(2).contentType("application/json")
                        .messageId(m[0]).build();
                ch.basicPublish("", queue, props, m[1].getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(60_000);
        }
    }

    /** Messages in {@code queue}, ready and unacknowledged. */
    public long depth(String queue) throws Exception {
        for (String line : ctl("list_queues", "-p", vhost, "--no-table-headers", "--quiet", "name", "messages").lines().toList()) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length == 2 && cols[0].equals(queue)) {
                return Long.parseLong(cols[1]);
            }
        }
        throw new IllegalStateException("no queue " + queue + " in " + vhost);
    }

    public Connection connection() {
        return connection;
    }

    private static String ctl(String... args) throws IOException, InterruptedException {
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
        try {
            connection.close();
        } finally {
            ctl("delete_vhost", vhost);
        }
    }
}
