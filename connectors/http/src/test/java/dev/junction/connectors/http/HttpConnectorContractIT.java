package dev.junction.connectors.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.junction.connectors.api.Connector;
import dev.junction.connectors.api.SourceInstance;
import dev.junction.connectors.api.http.HttpIngress;
import dev.junction.connectors.api.http.HttpIngressRequest;
import dev.junction.connectors.api.http.HttpReply;
import dev.junction.connectors.testkit.BadConfig;
import dev.junction.connectors.testkit.ConnectorContract;
import dev.junction.connectors.testkit.FailureCase;
import dev.junction.connectors.testkit.SinkFixture;
import dev.junction.connectors.testkit.SourceFixture;
import dev.junction.connectors.testkit.TestMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The connector test kit on the http connector: the webhook source driven as a sender drives it (sending again on a 503), and
 * the REST sink against a real HTTP server.
 */
class HttpConnectorContractIT extends ConnectorContract {

    @Override
    protected Connector connector() {
        return new HttpConnector();
    }

    @Override
    protected List<BadConfig> badConfigs() {
        return List.of(
                BadConfig.system("base-url = \"ftp://x\"", "base-url", "absolute http or https URL"),
                BadConfig.source("webhook", "path = \"/shop\"", "path", "must not start or end with a slash"),
                BadConfig.source("webhook", "path = shop, idempotency-key = \"cookie:id\"", "idempotency-key", "must be header:<name>"),
                BadConfig.target("path = \"/orders\", method = DELETE", "method", "must be one of POST, PUT, PATCH"),
                BadConfig.target("method = POST", "path", "is required"));
    }

    @Override
    protected SourceFixture sourceFixture() {
        return new Sender();
    }

    @Override
    protected SinkFixture sinkFixture() throws Exception {
        return new Target(new TargetServer());
    }

    /** A sender of webhooks: outstanding until answered 2xx; a 503 is sent again after its Retry-After, as senders do. */
    private static final class Sender implements SourceFixture {
        private final AtomicLong outstanding = new AtomicLong();
        private final AtomicReference<HttpReply> lastRefusal = new AtomicReference<>();

        @Override
        public String kind() {
            return "webhook";
        }

        @Override
        public Config settings() {
            return ConfigFactory.parseString("path = contract, idempotency-key = \"header:Idempotency-Key\"");
        }

        @Override
        public Config system() {
            return ConfigFactory.empty();
        }

        @Override
        public void publish(SourceInstance running, List<TestMessage> messages) throws Exception {
            outstanding.addAndGet(messages.size());
            for (TestMessage m : messages) {
                while (true) {
                    HttpReply reply = send((HttpIngress) running, m.json(), Map.of("idempotency-key", m.key()));
                    if (reply.status() / 100 == 2) {
                        outstanding.decrementAndGet();
                        break;
                    }
                    if (reply.status() != 503) {
                        throw new AssertionError("the webhook answered " + reply.status() + " to a good message");
                    }
                    Thread.sleep(50); // as a sender honouring Retry-After would, only sooner
                }
            }
        }

        @Override
        public long outstanding() {
            return outstanding.get();
        }

        @Override
        public boolean publishUnusable(SourceInstance running) throws Exception {
            lastRefusal.set(send((HttpIngress) running, "{\"id\":\"no-key\"}", Map.of()));
            return true;
        }

        @Override
        public boolean refusedAtTheSource() {
            HttpReply refusal = lastRefusal.get();
            return refusal != null && refusal.status() == 400 && refusal.contentType().equals(HttpReply.PROBLEM_JSON);
        }

        private static HttpReply send(HttpIngress ingress, String json, Map<String, String> headers) throws Exception {
            return ingress.handle(new HttpIngressRequest("POST", ingress.path(), "application/json", headers,
                    json.getBytes(StandardCharsets.UTF_8))).toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
    }

    /** A real HTTP server as the target; the key's native place is the Idempotency-Key header. */
    private record Target(TargetServer server) implements SinkFixture {

        @Override
        public Config settings() {
            return ConfigFactory.parseString("path = \"/orders\", timeout = 5s");
        }

        @Override
        public Config system() {
            return ConfigFactory.parseString("base-url = \"" + server.url("") + "\"");
        }

        @Override
        public List<Received> received() {
            return server.seen().stream().map(s -> new Received(s.header("Idempotency-Key"), s.body())).toList();
        }

        @Override
        public List<FailureCase> failures() {
            Runnable healthy = () -> server.answer(TargetServer.Answer.of(200, "{}"));
            return List.of(
                    new FailureCase("503 Service Unavailable", FailureCase.Expected.RETRIABLE,
                            () -> server.answer(TargetServer.Answer.of(503, "{}")), healthy::run),
                    new FailureCase("429 Too Many Requests", FailureCase.Expected.THROTTLED,
                            () -> server.answer(TargetServer.Answer.of(429, "{}").withHeader("Retry-After", "1")), healthy::run),
                    new FailureCase("400 Bad Request", FailureCase.Expected.PERMANENT,
                            () -> server.answer(TargetServer.Answer.of(400, "{\"error\":\"bad sku\"}")), healthy::run));
        }

        @Override
        public List<String> ownThreads() {
            return List.of(TargetServer.THREADS, "HTTP-Dispatcher");
        }

        @Override
        public void close() {
            server.close();
        }
    }
}
