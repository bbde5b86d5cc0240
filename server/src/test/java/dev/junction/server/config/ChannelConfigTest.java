package dev.junction.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.connectors.api.ConfigProblem;
import dev.junction.server.plugins.ConnectorRegistry;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code junction.channels} and the channel targets and sources that name them: read, and refused with file, line and path. */
class ChannelConfigTest {
    private static final ConnectorRegistry CONNECTORS = ConnectorRegistry.load(ChannelConfigTest.class.getClassLoader());

    @TempDir
    Path dir;

    @Test
    void loadsTheOrderChannelExample() throws Exception {
        JunctionSettings settings = ConfigLoader.load(TestConfig.quickstart().getParent().resolve("order-channel/junction.conf"),
                CONNECTORS, Map.of());

        ChannelSettings orders = settings.channels().get("orders");
        assertEquals(1, orders.version());
        assertEquals(Set.of(1), orders.versions().keySet());
        TargetSettings publish = settings.integrations().get("webshop-orders").targets().get(0);
        assertEquals("orders", publish.name());
        assertEquals(1, publish.channel().version());
        assertNull(publish.system());
        IntegrationSettings erp = settings.integrations().get("orders-to-erp");
        assertNull(erp.source());
        assertEquals(new ChannelSettings.Subscription("orders", Set.of(1)), erp.channel());
        assertTrue(settings.integrations().get("orders-to-crm").channel().accepts(7), "no versions: every version");
    }

    @Test
    void aChannelNamedByATargetOrASourceMustBeDeclaredAndEveryMistakeIsReportedWithItsPlace() throws Exception {
        Path file = TestConfig.write(dir, """
            junction {
              systems { shop { connector = http } }
              channels {
                orders { schema = "schemas/webshop-order.schema.json", version = 2, earlier-versions { 1 = "schemas/missing.json" } }
                invoices { schema = "schemas/webshop-order.schema.json", colour = blue }
              }
              integrations {
                a {
                  source { system = shop, webhook { path = "a" } }
                  targets = [ { channel = shipments }, { channel = invoices, version = 3 } ]
                }
                b {
                  source { channel = shipments }
                  targets = [ { channel = invoices } ]
                }
                c {
                  source { channel = invoices, versions = [1, 4], colour = red }
                  targets = [ { channel = invoices, system = shop } ]
                }
              }
            }
            """);

        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file, CONNECTORS, Map.of()));

        Map<String, ConfigProblem> byPath = e.problems().stream().collect(Collectors.toMap(ConfigProblem::path, p -> p, (x, y) -> x));
        assertProblem(byPath, "junction.channels.orders.earlier-versions.1", 4, "file not found");
        assertProblem(byPath, "junction.channels.invoices.colour", 5, "unknown setting");
        assertProblem(byPath, "junction.integrations.a.targets.0.channel", 10, "unknown channel (declared: invoices, orders)");
        assertProblem(byPath, "junction.integrations.a.targets.1.version", 10, "channel invoices has no version 3 (configured: [1])");
        assertProblem(byPath, "junction.integrations.b.source.channel", 13, "unknown channel");
        assertProblem(byPath, "junction.integrations.c.source.versions", 17, "channel invoices has no version 4");
        assertProblem(byPath, "junction.integrations.c.source.colour", 17, "unknown setting of a channel source");
        assertProblem(byPath, "junction.integrations.c.targets.0.system", 18, "unknown setting of a channel target");
    }

    @Test
    void aLoopThroughChannelsIsRefused() throws Exception {
        Path file = TestConfig.write(dir, """
            junction {
              channels {
                orders { schema = "schemas/webshop-order.schema.json" }
                copies { schema = "schemas/webshop-order.schema.json" }
              }
              integrations {
                forward { source { channel = orders }, targets = [ { channel = copies } ] }
                back { source { channel = copies }, targets = [ { channel = orders } ] }
              }
            }
            """);

        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file, CONNECTORS, Map.of()));

        Map<String, ConfigProblem> byPath = e.problems().stream().collect(Collectors.toMap(ConfigProblem::path, p -> p, (x, y) -> x));
        assertProblem(byPath, "junction.integrations.forward.targets", 7, "leads back to channel orders");
        assertProblem(byPath, "junction.integrations.back.targets", 8, "leads back to channel copies");
    }

    private static void assertProblem(Map<String, ConfigProblem> byPath, String path, int line, String reasonPart) {
        ConfigProblem problem = byPath.get(path);
        assertTrue(problem != null, "no problem reported at " + path + "; got " + List.copyOf(byPath.keySet()));
        assertTrue(problem.file().endsWith("junction.conf"), problem.toString());
        assertEquals(line, problem.line(), problem.toString());
        assertTrue(problem.reason().contains(reasonPart), problem.toString());
    }
}
