package dev.junction.server.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.Connector;
import dev.junction.connectors.api.SinkContext;
import dev.junction.connectors.api.SinkFactory;
import dev.junction.connectors.api.SinkInstance;
import dev.junction.connectors.http.HttpConnector;
import dev.junction.server.plugins.ConnectorRegistry;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A connector that throws when it starts is restarted with back-off, and the other systems keep working meanwhile. */
class ConnectorRestartTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FAILED_STARTS = 3;

    @TempDir
    Path dir;

    /** The http connector under another name, whose sink throws on its first {@code failures} starts. */
    static final class FlakyConnector implements Connector {
        private final Connector http = new HttpConnector();
        private final AtomicInteger starts = new AtomicInteger();
        private final int failures;

        FlakyConnector(int failures) {
            this.failures = failures;
        }

        @Override
        public String name() {
            return "flaky";
        }

        @Override
        public ConfigSpec systemSpec() {
            return http.systemSpec();
        }

        @Override
        public Optional<SinkFactory> sink() {
            SinkFactory real = http.sink().orElseThrow();
            return Optional.of(new SinkFactory() {
                @Override
                public ConfigSpec spec() {
                    return real.spec();
                }

                @Override
                public SinkInstance create(SinkContext context) {
                    if (starts.incrementAndGet() <= failures) {
                        throw new IllegalStateException("licence server unreachable (start " + starts.get() + ")");
                    }
                    return real.create(context);
                }
            });
        }
    }

    @Test
    void aConnectorThatThrowsOnStartIsRestartedWhileOthersDeliver() throws Exception {
        try (RecordingTarget crm = new RecordingTarget(); RecordingTarget erp = new RecordingTarget()) {
            Path config = TestConfig.write(dir, """
                junction {
                  http.port = 0
                  node.port = 0
                  inbox.partitions = 2
                  systems {
                    webshop { connector = http }
                    crm { connector = flaky, base-url = "%s" }
                    erp { connector = http, base-url = "%s" }
                  }
                  integrations {
                    to-crm {
                      source { system = webshop, webhook { path = "crm" } }
                      targets = [ { system = crm, flaky { path = "/contacts" } } ]
                    }
                    to-erp {
                      source { system = webshop, webhook { path = "erp" } }
                      targets = [ { system = erp, http { path = "/orders" } } ]
                    }
                  }
                }
                """.formatted(crm.baseUrl(), erp.baseUrl()));
            ConnectorRegistry connectors = ConnectorRegistry.load(getClass().getClassLoader()).with(new FlakyConnector(FAILED_STARTS));
            try (RunningServer server = RunningServer.start(config, dir.resolve("data"), Map.of(), connectors)) {
                for (int i = 0; i < 20; i++) {
                    assertEquals(202, server.post("/webhooks/crm", "contact-" + i, TestConfig.order("C-" + i)).statusCode());
                    assertEquals(202, server.post("/webhooks/erp", "order-" + i, TestConfig.order("SO-" + i)).statusCode());
                }
                Await.until(Duration.ofSeconds(10), () -> erp.applied().size() == 20, () -> erp.applied().size() + " of 20 to erp");
                JsonNode restarting = JSON.readTree(server.get("/api/v1/systems/crm").body());
                assertEquals("restarting", restarting.get("state").asText(), restarting::toString);
                assertTrue(restarting.get("startFailure").asText().contains("licence server unreachable"), restarting::toString);
                assertTrue(crm.applied().isEmpty());

                Await.until(Duration.ofSeconds(30), () -> crm.applied().size() == 20, () -> crm.applied().size() + " of 20 to crm");
                JsonNode running = JSON.readTree(server.get("/api/v1/systems/crm").body());
                assertEquals("running", running.get("state").asText(), running::toString);
                assertEquals(FAILED_STARTS, running.get("restarts").asInt(), running::toString);
                JsonNode deadLetters = JSON.readTree(server.get("/api/v1/dead-letters").body());
                assertEquals(0, deadLetters.get("matched").asInt(), "waiting for a restart costs no attempts");
            }
        }
    }
}
