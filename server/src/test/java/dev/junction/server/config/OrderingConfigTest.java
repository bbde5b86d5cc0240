package dev.junction.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.connectors.api.ConfigProblem;
import dev.junction.server.plugins.ConnectorRegistry;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ordering} and {@code partition-key}: read when right, each mistake reported with file, line, path and reason. */
class OrderingConfigTest {
    private static final ConnectorRegistry CONNECTORS = ConnectorRegistry.load(OrderingConfigTest.class.getClassLoader());

    @TempDir
    Path dir;

    @Test
    void readsPerKeyOrderingAndLeavesOthersUnordered() throws Exception {
        Path file = TestConfig.write(dir, """
            junction {
              systems { shop { connector = http }, erp { connector = http, base-url = "http://127.0.0.1:1" } }
              integrations {
                ordered {
                  ordering = per-key
                  partition-key = "json:/orderId"
                  source { system = shop, webhook { path = "a" } }
                  targets = [ { system = erp, http { path = "/x" } } ]
                }
                by-header {
                  ordering = per-key
                  partition-key = "header:X-Order-Id"
                  source { system = shop, webhook { path = "b" } }
                  targets = [ { system = erp, http { path = "/x" } } ]
                }
                plain {
                  source { system = shop, webhook { path = "c" } }
                  targets = [ { system = erp, http { path = "/x" } } ]
                }
              }
            }
            """);
        JunctionSettings settings = ConfigLoader.load(file, CONNECTORS, Map.of());
        OrderingSettings ordered = settings.integrations().get("ordered").ordering();
        assertTrue(ordered.perKey());
        assertEquals("json:/orderId", ordered.partitionKey().spec());
        assertEquals("header:X-Order-Id", settings.integrations().get("by-header").ordering().partitionKey().spec());
        assertFalse(settings.integrations().get("plain").ordering().perKey());
    }

    @Test
    void reportsEachMistake() throws Exception {
        Path file = TestConfig.write(dir, """
            junction {
              systems { shop { connector = http }, erp { connector = http, base-url = "http://127.0.0.1:1" } }
              integrations {
                a {
                  partition-key = "json:/orderId"
                  source { system = shop, webhook { path = "a" } }
                  targets = [ { system = erp, http { path = "/x" } } ]
                }
                b {
                  ordering = per-key
                  partition-key = "json:orderId"
                  source { system = shop, webhook { path = "b" } }
                  targets = [ { system = erp, http { path = "/x" } } ]
                }
                c {
                  ordering = per-key
                  source { system = shop, webhook { path = "c" } }
                  targets = [ { system = erp, http { path = "/x" } } ]
                }
                d {
                  ordering = by-key
                  source { system = shop, webhook { path = "d" } }
                  targets = [ { system = erp, http { path = "/x" } } ]
                }
                e {
                  ordering = per-key
                  partition-key = "body:/orderId"
                  source { system = shop, webhook { path = "e" } }
                  targets = [ { system = erp, http { path = "/x" } } ]
                }
              }
            }
            """);

        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file, CONNECTORS, Map.of()));

        Map<String, ConfigProblem> byPath = e.problems().stream().collect(Collectors.toMap(ConfigProblem::path, p -> p, (x, y) -> x));
        assertProblem(byPath, "junction.integrations.a.partition-key", 5, "only with ordering = per-key");
        assertProblem(byPath, "junction.integrations.b.partition-key", 11, "JSON pointer that starts with '/'");
        assertProblem(byPath, "junction.integrations.c.ordering", 16, "needs partition-key");
        assertProblem(byPath, "junction.integrations.d.ordering", 21, "must be none or per-key");
        assertProblem(byPath, "junction.integrations.e.partition-key", 27, "must be header:<name> or json:<JSON pointer>");
        assertEquals(5, e.problems().size(), e.getMessage());
    }

    private static void assertProblem(Map<String, ConfigProblem> byPath, String path, int line, String reasonPart) {
        ConfigProblem problem = byPath.get(path);
        assertTrue(problem != null, "no problem reported at " + path + "; got " + List.copyOf(byPath.keySet()));
        assertTrue(problem.file().endsWith("junction.conf"), problem.toString());
        assertEquals(line, problem.line(), problem.toString());
        assertTrue(problem.reason().contains(reasonPart), problem.toString());
    }
}
