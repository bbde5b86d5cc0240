package dev.junction.server.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.Rabbit;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.ServerProcess;
import dev.junction.server.testing.TestConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The amqp plugin in the server (the jar, loaded from its plugin folder) against the RabbitMQ on this machine: a message a queue
 * source cannot use becomes a dead letter with its raw bytes, or goes to the queue's own dead-letter exchange when it has one;
 * a target publishes with the idempotency key as message-id, an unroutable message is dead-lettered with the broker's reason,
 * and its replay publishes the same key.
 */
class AmqpIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void unusableMessagesAreVisibleAndTargetsCarryTheKey() throws Exception {
        try (Rabbit rabbit = new Rabbit(); RecordingTarget erp = new RecordingTarget()) {
            rabbit.declareQueue("in", null);
            rabbit.declareQueue("in-dlx", "in-dlx.exchange");
            try (Channel ch = rabbit.connection().createChannel()) {
                ch.exchangeDeclare("erp", "topic", true);
                ch.queueDeclare("erp.orders", true, false, false, null);
            }
            Path config = TestConfig.write(dir, """
                junction {
                  systems {
                    rabbit { connector = amqp, uri = "%s" }
                    webshop { connector = http }
                    erp { connector = http, base-url = "%s" }
                  }
                  integrations {
                    from-rabbit {
                      source { system = rabbit, amqp { queue = in } }
                      targets = [ { system = erp, http { path = "/orders" } } ]
                    }
                    from-rabbit-dlx {
                      source { system = rabbit, amqp { queue = in-dlx, broker-dead-letters = true } }
                      targets = [ { system = erp, http { path = "/orders" } } ]
                    }
                    to-rabbit {
                      source { system = webshop, webhook { path = "orders" } }
                      targets = [ { system = rabbit, amqp { exchange = erp, routing-key = orders.created } } ]
                    }
                  }
                }
                """.formatted(rabbit.uri(), erp.baseUrl()));
            int port = ServerProcess.freePort();
            try (ServerProcess server = ServerProcess.start(config, port, Map.of("JUNCTION_DATA_DIR", dir.resolve("data").toString(),
                    "JUNCTION_PLUGINS_DIR", Rabbit.pluginDirectory().toString()), dir.resolve("server.log"))) {

                // 1. Without a dead-letter exchange: recorded by Junction, raw bytes kept, acknowledged.
                rabbit.publish("in", List.of(new String[] {"good-1", "{\"id\":\"good-1\"}"}, new String[] {null, "{\"id\":\"no-key\"}"},
                        new String[] {"bad-body", "{\"id\": "}));
                Await.until(Duration.ofSeconds(30), () -> erp.applied().contains("good-1"), () -> "good-1 not delivered");
                Await.until(Duration.ofSeconds(30), () -> deadLetters(server, "from-rabbit").get("matched").asInt() == 2,
                        () -> "the two unusable messages are not dead letters");
                JsonNode listed = deadLetters(server, "from-rabbit");
                List<String> classes = java.util.stream.StreamSupport.stream(listed.get("items").spliterator(), false)
                        .map(i -> i.get("errorClass").asText()).sorted().toList();
                assertEquals(List.of("invalid-body", "invalid-key"), classes, listed.toString());
                String badBody = java.util.stream.StreamSupport.stream(listed.get("items").spliterator(), false)
                        .filter(i -> i.get("errorClass").asText().equals("invalid-body")).findFirst().orElseThrow().get("messageId").asText();
                JsonNode letter = JSON.readTree(get(server, "/api/v1/dead-letters/" + badBody).body());
                assertTrue(letter.toString().contains("{\\\"id\\\": "), "the raw original is kept as received: " + letter);
                assertTrue(letter.toString().contains("the body is not JSON"), letter.toString());
                Await.until(Duration.ofSeconds(30), () -> depth(rabbit, "in") == 0, () -> "queue in not empty");

                // 2. With a dead-letter exchange: the broker keeps it there; Junction records nothing.
                rabbit.publish("in-dlx", List.<String[]>of(new String[] {null, "{\"id\":\"no-key\"}"}));
                Await.until(Duration.ofSeconds(30), () -> depth(rabbit, "in-dlx.dead") == 1, () -> "not rejected to the DLX");
                assertEquals(0, depth(rabbit, "in-dlx"));
                assertEquals(0, deadLetters(server, "from-rabbit-dlx").get("matched").asInt());

                // 3. A target: unroutable (no queue bound yet) is permanent, with the broker's reason ...
                assertEquals(202, post(server, "order-7", "{\"id\":\"order-7\"}").statusCode());
                Await.until(Duration.ofSeconds(30), () -> deadLetters(server, "to-rabbit").get("matched").asInt() == 1,
                        () -> "the unroutable message is not dead-lettered");
                JsonNode unroutable = deadLetters(server, "to-rabbit").get("items").get(0);
                assertEquals("unroutable", unroutable.get("errorClass").asText(), unroutable.toString());
                assertTrue(unroutable.get("detail").asText().contains("NO_ROUTE"), unroutable.toString());
                // ... and once a queue is bound, its replay publishes it with the same key as message-id.
                try (Channel ch = rabbit.connection().createChannel()) {
                    ch.queueBind("erp.orders", "erp", "orders.#");
                }
                HttpResponse<String> replay = client.send(HttpRequest.newBuilder(URI.create(server.url("/api/v1/dead-letters/"
                                + unroutable.get("messageId").asText() + "/replay"))).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"by\":\"test\",\"reason\":\"queue bound\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, replay.statusCode(), replay.body());
                Await.until(Duration.ofSeconds(30), () -> depth(rabbit, "erp.orders") == 1, () -> "the replay was not published");
                try (Channel ch = rabbit.connection().createChannel()) {
                    GetResponse published = ch.basicGet("erp.orders", true);
                    assertEquals("order-7", published.getProps().getMessageId(), "the idempotency key is the message-id");
                    assertEquals(2, published.getProps().getDeliveryMode(), "persistent");
                    assertEquals(unroutable.get("messageId").asText(), published.getProps().getHeaders().get("junction-message-id").toString());
                    assertEquals("{\"id\":\"order-7\"}", new String(published.getBody(), StandardCharsets.UTF_8));
                }
            }
        }
    }

    private HttpResponse<String> post(ServerProcess server, String key, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(server.url("/webhooks/orders"))).header("Content-Type", "application/json")
                .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(ServerProcess server, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(server.url(path))).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode deadLetters(ServerProcess server, String integration) {
        try {
            return JSON.readTree(get(server, "/api/v1/dead-letters?integration=" + integration).body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long depth(Rabbit rabbit, String queue) {
        try {
            return rabbit.depth(queue);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
