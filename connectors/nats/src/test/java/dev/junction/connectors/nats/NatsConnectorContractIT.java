package dev.junction.connectors.nats;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.junction.connectors.api.Connector;
import dev.junction.connectors.api.SourceInstance;
import dev.junction.connectors.testkit.BadConfig;
import dev.junction.connectors.testkit.ConnectorContract;
import dev.junction.connectors.testkit.FailureCase;
import dev.junction.connectors.testkit.SinkFixture;
import dev.junction.connectors.testkit.SourceFixture;
import dev.junction.connectors.testkit.TcpProxy;
import dev.junction.connectors.testkit.TestMessage;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The connector test kit on the nats connector, against the NATS server (JetStream) on 127.0.0.1:4222, in streams of the
 * test's own (deleted at the end). The connector reaches the server through a {@link TcpProxy}, which drops connections the
 * way a network does and plays the server being down; what is outstanding is the durable consumer's own count of pending and
 * unacknowledged messages.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NatsConnectorContractIT extends ConnectorContract {
    private static final int NATS_PORT = 4222;
    private Connection admin;
    private JetStreamManagement streams;
    private TcpProxy network;
    private final List<String> created = new CopyOnWriteArrayList<>();

    @BeforeAll
    void connect() throws Exception {
        admin = Nats.connect("nats://127.0.0.1:" + NATS_PORT);
        streams = admin.jetStreamManagement();
        network = new TcpProxy(NATS_PORT);
    }

    @AfterAll
    void deleteStreams() throws Exception {
        for (String stream : created) {
            try {
                streams.deleteStream(stream);
            } catch (JetStreamApiException gone) {
                // deleted by a failure case
            }
        }
        admin.close();
        network.close();
    }

    private String stream(String subjects) throws Exception {
        String name = "CONTRACT_" + UUID.randomUUID().toString().replace("-", "");
        streams.addStream(StreamConfiguration.builder().name(name).subjects(subjects).storageType(StorageType.File).build());
        created.add(name);
        return name;
    }

    private String url() {
        return "nats://127.0.0.1:" + network.port();
    }

    @Override
    protected Connector connector() {
        return new NatsConnector();
    }

    @Override
    protected List<BadConfig> badConfigs() {
        return List.of(
                BadConfig.system("url = \"amqp://127.0.0.1\"", "url", "must be nats:// or tls://"),
                BadConfig.system("reconnect-wait = 1s", "url", "is required"),
                BadConfig.source("nats", "stream = \"A.B\", consumer = c", "stream", "must be a name"),
                BadConfig.source("nats", "stream = A", "consumer", "is required"),
                BadConfig.source("nats", "stream = A, consumer = c, max-deliver = 0", "max-deliver", "must be -1 or at least 1"),
                BadConfig.source("nats", "stream = A, consumer = c, idempotency-key = \"message-id\"", "idempotency-key", "must be nats-msg-id"),
                BadConfig.target("subject = \"orders.>\"", "subject", "without wildcards"),
                BadConfig.target("headers = []", "subject", "is required"));
    }

    @Override
    protected SourceFixture sourceFixture() throws Exception {
        String prefix = "contract." + UUID.randomUUID().toString().replace("-", "");
        return new Stream(stream(prefix + ".>"), prefix);
    }

    @Override
    protected SinkFixture sinkFixture() throws Exception {
        String subject = "sink." + UUID.randomUUID().toString().replace("-", "") + ".orders";
        return new Subscriber(stream(subject), subject);
    }

    /** A stream the source consumes through the durable consumer {@code junction}. */
    private final class Stream implements SourceFixture {
        private final String stream;
        private final String prefix;

        Stream(String stream, String prefix) {
            this.stream = stream;
            this.prefix = prefix;
        }

        @Override
        public String kind() {
            return "nats";
        }

        @Override
        public Config settings() {
            return ConfigFactory.parseString("stream = " + stream + ", consumer = junction, ack-wait = 5s, batch = 50");
        }

        @Override
        public Config system() {
            return ConfigFactory.parseString("url = \"" + url() + "\", reconnect-wait = 200ms, connection-timeout = 1s");
        }

        @Override
        public void publish(SourceInstance running, List<TestMessage> messages) throws Exception {
            JetStream js = admin.jetStream();
            for (TestMessage m : messages) {
                Headers headers = new Headers();
                headers.put("Nats-Msg-Id", m.key());
                js.publish(prefix + ".created", headers, m.json().getBytes(StandardCharsets.UTF_8));
            }
        }

        @Override
        public long outstanding() throws Exception {
            try {
                var info = streams.getConsumerInfo(stream, "junction");
                return info.getNumPending() + info.getNumAckPending();
            } catch (JetStreamApiException noConsumerYet) {
                return streams.getStreamInfo(stream).getStreamState().getMsgCount();
            }
        }

        @Override
        public boolean dropConnection(SourceInstance running) {
            network.dropConnections();
            return true;
        }

        @Override
        public boolean hangConnection(SourceInstance running) {
            network.hang();
            return true;
        }

        @Override
        public void answerAgain() {
            network.resume();
        }

        @Override
        public boolean publishUnusable(SourceInstance running) throws Exception {
            admin.jetStream().publish(prefix + ".created", "{\"id\":\"no Nats-Msg-Id\"}".getBytes(StandardCharsets.UTF_8));
            return true;
        }

        @Override
        public List<String> ownThreads() {
            return List.of("jnats");
        }
    }

    /** A stream capturing the sink's subject, read by an ephemeral consumer; the key's native place is Nats-Msg-Id. */
    private final class Subscriber implements SinkFixture {
        private final String stream;
        private final String subject;
        private final JetStreamSubscription subscription;
        private final List<Received> received = new CopyOnWriteArrayList<>();

        Subscriber(String stream, String subject) throws Exception {
            this.stream = stream;
            this.subject = subject;
            var dispatcher = admin.createDispatcher();
            subscription = admin.jetStream().subscribe(subject, dispatcher, this::receive, true, PushSubscribeOptions.builder().stream(stream).build());
        }

        private void receive(Message m) {
            received.add(new Received(m.getHeaders() == null ? null : m.getHeaders().getFirst("Nats-Msg-Id"),
                    new String(m.getData(), StandardCharsets.UTF_8)));
        }

        @Override
        public Config settings() {
            return ConfigFactory.parseString("subject = \"" + subject + "\", publish-timeout = 3s");
        }

        @Override
        public Config system() {
            return ConfigFactory.parseString("url = \"" + url() + "\", reconnect-wait = 200ms");
        }

        @Override
        public List<Received> received() {
            return List.copyOf(received);
        }

        @Override
        public List<FailureCase> failures() {
            return List.of(
                    new FailureCase("no stream captures the subject", FailureCase.Expected.PERMANENT,
                            () -> streams.deleteStream(stream),
                            () -> streams.addStream(StreamConfiguration.builder().name(stream).subjects(subject)
                                    .storageType(StorageType.File).build())),
                    new FailureCase("the server is unreachable", FailureCase.Expected.RETRIABLE, network::pause, network::resume));
        }

        @Override
        public List<String> ownThreads() {
            return List.of("jnats");
        }

        @Override
        public void close() throws Exception {
            try {
                subscription.unsubscribe();
            } catch (IllegalStateException gone) {
                // the stream was deleted and created again
            }
        }
    }
}
