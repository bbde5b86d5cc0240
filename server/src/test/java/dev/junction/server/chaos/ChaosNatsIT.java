package dev.junction.server.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.server.testing.TestConfig;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chaos} drives nats sources on the real NATS server at 127.0.0.1:4222 (the nats plugin, from its folder): each message
 * is published to a stream of the run's own, found accepted by its key (the {@code Nats-Msg-Id} header, or a header of the
 * integration's choosing), delivered once; a message published again is answered as a duplicate with one effect. The user's
 * stream keeps its message and gets no consumer, and the run's streams are gone afterwards.
 */
class ChaosNatsIT {
    @TempDir
    Path dir;

    @Test
    void aNatsSourceIsDrivenThroughAStreamOfTheRunsOwn() throws Exception {
        String stream = "SHOP_" + UUID.randomUUID().toString().replace("-", "");
        String subject = "shop." + stream.toLowerCase() + ".orders";
        try (Connection nats = Nats.connect("nats://127.0.0.1:4222")) {
            JetStreamManagement jsm = nats.jetStreamManagement();
            // the user's real stream, with a message waiting that a started source would take
            jsm.addStream(StreamConfiguration.builder().name(stream).subjects(subject).storageType(StorageType.Memory).build());
            try {
                nats.jetStream().publish(subject, TestConfig.order("REAL-1").getBytes(StandardCharsets.UTF_8));
                run(jsm, stream);
            } finally {
                jsm.deleteStream(stream);
            }
        }
    }

    private void run(JetStreamManagement jsm, String stream) throws Exception {
        Path conf = TestConfig.write(dir.resolve("conf"), """
                junction {
                  systems {
                    events { connector = nats, url = "nats://127.0.0.1:4222" }
                    erp { connector = http, base-url = "http://127.0.0.1:1" }
                  }
                  integrations {
                    streamed-orders {
                      source { system = events, nats { stream = "%1$s", consumer = junction, filter-subject = "shop.>" } }
                      steps = [ { validate { schema = "schemas/webshop-order.schema.json" } } ]
                      targets = [ { system = erp, http { method = POST, path = "/erp/orders" } } ]
                    }
                    headed-orders {
                      source { system = events, nats { stream = "%1$s", consumer = junction-headed, idempotency-key = "header:order-key" } }
                      steps = [ { validate { schema = "schemas/webshop-order.schema.json" } } ]
                      targets = [ { system = erp, http { method = POST, path = "/erp/orders" } } ]
                    }
                  }
                }""".formatted(stream));
        Path report = dir.resolve("report.json");
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int code = ChaosCommand.run(List.of(conf.toString(), "--scenario", "baseline,duplicates", "--rate", "20/s", "--duration", "1s",
                        "--settle", "20s", "--report", report.toString()),
                Map.of("JUNCTION_PLUGINS_DIR", pluginDirectory().toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8),
                InProcessNode.STARTER);
        String printed = out.toString(StandardCharsets.UTF_8);

        assertEquals(0, code, printed);
        assertTrue(printed.contains("source of streamed-orders: messages published to the run's stream " + stream + "-chaos-"), printed);
        ChaosReports.assertTwoIntegrationsDrivenCleanly(report, printed);
        assertEquals(1, jsm.getStreamInfo(stream).getStreamState().getMsgCount(), "chaos touched the user's stream");
        assertEquals(List.of(), jsm.getConsumerNames(stream), "chaos made a consumer on the user's stream");
        List<String> left = jsm.getStreamNames().stream().filter(n -> n.startsWith(stream + "-chaos-")).toList();
        assertEquals(List.of(), left, "the run's streams were left");
    }

    static Path pluginDirectory() {
        Path dir = Path.of(System.getProperty("test.nats.plugin.dir", "../connectors/nats/target/plugin")).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("nats"))) {
            throw new IllegalStateException("the nats plugin is not built at " + dir + ": mvn -pl connectors/nats -am package first");
        }
        return dir;
    }
}
