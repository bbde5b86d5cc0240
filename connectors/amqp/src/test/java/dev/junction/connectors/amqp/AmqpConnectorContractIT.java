package dev.junction.connectors.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DeliverCallback;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.junction.connectors.api.Connector;
import dev.junction.connectors.api.SourceInstance;
import dev.junction.connectors.testkit.BadConfig;
import dev.junction.connectors.testkit.ConnectorContract;
import dev.junction.connectors.testkit.FailureCase;
import dev.junction.connectors.testkit.SinkFixture;
import dev.junction.connectors.testkit.SourceFixture;
import dev.junction.connectors.testkit.TestMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** The connector test kit on the amqp connector, against the RabbitMQ on this machine, in a vhost of the test's own. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AmqpConnectorContractIT extends ConnectorContract {
    private RabbitAdmin rabbit;

    @BeforeAll
    void vhost() throws Exception {
        rabbit = new RabbitAdmin();
    }

    @AfterAll
    void dropVhost() throws Exception {
        rabbit.close();
    }

    @Override
    protected Connector connector() {
        return new AmqpConnector();
    }

    @Override
    protected List<BadConfig> badConfigs() {
        return List.of(
                BadConfig.system("uri = \"http://127.0.0.1\"", "uri", "must start with amqp://"),
                BadConfig.system("heartbeat = 30s", "uri", "is required"),
                BadConfig.source("amqp", "queue = q, prefetch = 0", "prefetch", "from 1 to 65535"),
                BadConfig.source("amqp", "queue = q, idempotency-key = \"msgid\"", "idempotency-key", "must be message-id"),
                BadConfig.source("amqp", "queue = q, declare { exchange-type = star }", "declare.exchange-type", "must be one of"),
                BadConfig.source("amqp", "queue = q, declare { routing-keys = [\"a\"] }", "declare.routing-keys", "set declare.exchange"),
                BadConfig.target("routing-key = x", "exchange", "is required"));
    }

    @Override
    protected SourceFixture sourceFixture() throws Exception {
        String queue = "contract-" + UUID.randomUUID();
        rabbit.declareQueue(queue, null);
        return new Queue(queue);
    }

    @Override
    protected SinkFixture sinkFixture() throws Exception {
        return new Exchange("sink-" + UUID.randomUUID());
    }

    /** A queue of the test's vhost; its depth counts ready and unacknowledged messages. */
    private final class Queue implements SourceFixture {
        private final String queue;

        Queue(String queue) {
            this.queue = queue;
        }

        @Override
        public String kind() {
            return "amqp";
        }

        @Override
        public Config settings() {
            return ConfigFactory.parseString("queue = \"" + queue + "\", prefetch = 50");
        }

        @Override
        public Config system() {
            return ConfigFactory.parseString("uri = \"" + rabbit.uri() + "\", recovery-interval = 500ms");
        }

        @Override
        public void publish(SourceInstance running, List<TestMessage> messages) throws Exception {
            rabbit.publish(queue, messages.stream().map(m -> new String[] {m.key(), m.json()}).toList());
        }

        @Override
        public long outstanding() throws Exception {
            return rabbit.depth(queue);
        }

        @Override
        public boolean dropConnection(SourceInstance running) throws Exception {
            rabbit.closeConnections();
            return true;
        }

        @Override
        public boolean publishUnusable(SourceInstance running) throws Exception {
            rabbit.publish(queue, List.<String[]>of(new String[] {null, "{\"id\":\"no message id\"}"}));
            return true;
        }

        @Override
        public List<String> ownThreads() {
            return List.of("AMQP Connection", "pool-");
        }
    }

    /** A topic exchange bound to a queue the fixture consumes; the key's native place is the message-id property. */
    private final class Exchange implements SinkFixture {
        private final String exchange;
        private final Connection connection;
        private final Channel channel;
        private final List<Received> received = new CopyOnWriteArrayList<>();

        Exchange(String exchange) throws Exception {
            this.exchange = exchange;
            connection = rabbit.connect();
            channel = connection.createChannel();
            channel.exchangeDeclare(exchange, "topic", true);
            String queue = exchange + ".queue";
            channel.queueDeclare(queue, true, false, false, null);
            channel.queueBind(queue, exchange, "orders.#");
            DeliverCallback deliver = (tag, d) -> received.add(new Received(d.getProperties().getMessageId(),
                    new String(d.getBody(), StandardCharsets.UTF_8)));
            channel.basicConsume(queue, true, deliver, tag -> {});
        }

        @Override
        public Config settings() {
            return ConfigFactory.parseString("exchange = \"" + exchange + "\", routing-key = orders.created");
        }

        @Override
        public Config system() {
            return ConfigFactory.parseString("uri = \"" + rabbit.uri() + "\"");
        }

        @Override
        public List<Received> received() {
            return List.copyOf(received);
        }

        @Override
        public List<FailureCase> failures() {
            return List.of(
                    new FailureCase("the routing key matches no binding (returned)", FailureCase.Expected.PERMANENT,
                            () -> channel.queueUnbind(exchange + ".queue", exchange, "orders.#"),
                            () -> channel.queueBind(exchange + ".queue", exchange, "orders.#")),
                    new FailureCase("the exchange does not exist (404)", FailureCase.Expected.PERMANENT,
                            () -> channel.exchangeDelete(exchange),
                            () -> {
                                channel.exchangeDeclare(exchange, "topic", true);
                                channel.queueBind(exchange + ".queue", exchange, "orders.#");
                            }),
                    new FailureCase("the broker closed the connection", FailureCase.Expected.RETRIABLE,
                            rabbit::closeConnections, () -> { })); // last: it closes the fixture's own connection too
        }

        @Override
        public List<String> ownThreads() {
            return List.of("AMQP Connection", "pool-");
        }

        @Override
        public void close() throws Exception {
            if (connection.isOpen()) {
                connection.close();
            }
        }
    }
}
