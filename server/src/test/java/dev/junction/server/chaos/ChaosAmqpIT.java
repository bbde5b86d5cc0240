package dev.junction.server.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.server.testing.Rabbit;
import dev.junction.server.testing.TestConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chaos} drives an amqp source on a real RabbitMQ (the amqp plugin, from its folder): each message is published to a
 * queue of the run's own, found accepted by its key, delivered once; a message published again is answered as a duplicate
 * with one effect. The user's queue keeps its waiting message, and the run's queue is gone afterwards.
 */
class ChaosAmqpIT {
    @TempDir
    Path dir;

    @Test
    void anAmqpSourceIsDrivenThroughAQueueOfTheRunsOwn() throws Exception {
        try (Rabbit rabbit = new Rabbit()) {
            // the user's real queue, bound to their exchange, with a message waiting that a started source would take
            rabbit.declareQueue("shop.orders", null);
            rabbit.publish("shop.orders", List.<String[]>of(new String[] {"real-1", TestConfig.order("REAL-1")}));
            Path conf = TestConfig.write(dir.resolve("conf"), """
                    junction {
                      systems {
                        shop-bus { connector = amqp, uri = "%s" }
                        erp { connector = http, base-url = "http://127.0.0.1:1" }
                      }
                      integrations {
                        queued-orders {
                          source { system = shop-bus, amqp { queue = shop.orders, declare { exchange = shop, routing-keys = ["orders.#"] } } }
                          steps = [ { validate { schema = "schemas/webshop-order.schema.json" } } ]
                          targets = [ { system = erp, http { method = POST, path = "/erp/orders" } } ]
                        }
                        headed-orders {
                          source { system = shop-bus, amqp { queue = shop.orders.headed, idempotency-key = "header:order-key" } }
                          steps = [ { validate { schema = "schemas/webshop-order.schema.json" } } ]
                          targets = [ { system = erp, http { method = POST, path = "/erp/orders" } } ]
                        }
                      }
                    }""".formatted(rabbit.uri()));
            Path report = dir.resolve("report.json");
            ByteArrayOutputStream out = new ByteArrayOutputStream();

            int code = ChaosCommand.run(List.of(conf.toString(), "--scenario", "baseline,duplicates", "--rate", "20/s", "--duration", "1s",
                            "--settle", "20s", "--report", report.toString()),
                    Map.of("JUNCTION_PLUGINS_DIR", Rabbit.pluginDirectory().toString()),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8),
                    InProcessNode.STARTER);
            String printed = out.toString(StandardCharsets.UTF_8);

            assertEquals(0, code, printed);
            assertTrue(printed.contains("source of queued-orders: messages published to the run's queue shop.orders.chaos-"), printed);
            ChaosReports.assertTwoIntegrationsDrivenCleanly(report, printed);
            assertEquals(1, rabbit.depth("shop.orders"), "chaos touched the user's queue");
            String queues = queues(rabbit);
            assertTrue(!queues.contains(".chaos-"), "the run's queues were left: " + queues);
        }
    }

    private static String queues(Rabbit rabbit) throws Exception {
        Process p = new ProcessBuilder("rabbitmqctl", "list_queues", "-p", rabbit.vhost, "--no-table-headers", "--quiet", "name")
                .redirectErrorStream(true).start();
        String names = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return names;
    }
}
