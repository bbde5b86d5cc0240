package dev.junction.server.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.ServerProcess;
import dev.junction.server.testing.TestConfig;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code OTEL_EXPORTER_OTLP_ENDPOINT} set, a node exports its spans over OTLP (HTTP/protobuf, to a receiver in this
 * test): the message's receipt as a child of the sender's span, and each attempt as a child of the receipt, with the very span
 * id the target was sent in its traceparent, so a tracing backend draws sender, Junction and target as one tree.
 */
class TraceExportTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SENDER_SPAN = "00f067aa0ba902b7";

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void spansOfTheReceiptAndOfEachAttemptAreExportedInTheSendersTrace() throws Exception {
        List<byte[]> exports = new CopyOnWriteArrayList<>();
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/v1/traces", exchange -> {
            exports.add(exchange.getRequestBody().readAllBytes());
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        try (RecordingTarget erp = new RecordingTarget().respondWith((key, n) -> n == 1 ? 503 : 200)) {
            Path config = TestConfig.write(dir, TestConfig.webhookToHttp(erp.baseUrl(),
                    "resilience { retry { max-attempts = 5, min-backoff = 50ms, max-backoff = 100ms } }").replace("http.port = 0", ""));
            int port = ServerProcess.freePort();
            try (ServerProcess server = ServerProcess.startOnClassPath(config, port, Map.of(
                    "JUNCTION_DATA_DIR", dir.resolve("data").toString(),
                    "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + collector.getAddress().getPort(),
                    "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"), dir.resolve("server.log"),
                    List.of("-Xmx512m", "-Dkamon.trace.tick-interval=1s"))) {
                HttpResponse<String> accepted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url("/webhooks/webshop/orders")))
                        .header("Content-Type", "application/json").header("Idempotency-Key", "traced")
                        .header("traceparent", "00-" + TRACE + "-" + SENDER_SPAN + "-01")
                        .POST(HttpRequest.BodyPublishers.ofString(TestConfig.order("SO-1"))).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(202, accepted.statusCode(), accepted.body());
                Await.until(Duration.ofSeconds(20), () -> erp.successes("traced") == 1, () -> "not delivered");
                List<String> attempts = erp.traceparents("traced");
                assertEquals(2, attempts.size(), attempts.toString());

                // Each attempt's span, under the trace the sender started, is exported with the id the target was sent.
                for (String traceparent : attempts) {
                    assertTrue(traceparent.startsWith("00-" + TRACE + "-"), traceparent);
                    String spanId = traceparent.substring(36, 52);
                    Await.until(Duration.ofSeconds(20), () -> contains(exports, spanId),
                            () -> "span " + spanId + " of an attempt not exported; " + exports.size() + " exports");
                }
                byte[] all = concat(exports);
                assertTrue(indexOf(all, HexFormat.of().parseHex(TRACE)) >= 0, "the sender's trace id is exported");
                assertTrue(indexOf(all, HexFormat.of().parseHex(SENDER_SPAN)) >= 0, "the receipt's parent is the sender's span");
                assertTrue(indexOf(all, "receive orders-to-erp".getBytes(StandardCharsets.UTF_8)) >= 0, "the receipt's span");
                assertTrue(indexOf(all, "deliver erp".getBytes(StandardCharsets.UTF_8)) >= 0, "the attempts' spans");
                assertTrue(indexOf(all, "http-503".getBytes(StandardCharsets.UTF_8)) >= 0, "the failed attempt says its error class");
                assertTrue(indexOf(all, "ada@example.com".getBytes(StandardCharsets.UTF_8)) < 0, "no part of the message leaves in a span");
            }
        } finally {
            collector.stop(0);
        }
    }

    private static boolean contains(List<byte[]> exports, String spanIdHex) {
        return indexOf(concat(exports), HexFormat.of().parseHex(spanIdHex)) >= 0;
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
