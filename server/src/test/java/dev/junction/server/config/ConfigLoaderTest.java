package dev.junction.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.connectors.api.ConfigProblem;
import dev.junction.server.plugins.ConnectorRegistry;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A configuration with mistakes is refused with every problem at once: file, line, path, value and reason. */
class ConfigLoaderTest {
    private static final ConnectorRegistry CONNECTORS = ConnectorRegistry.load(ConfigLoaderTest.class.getClassLoader());

    @TempDir
    Path dir;

    @Test
    void loadsTheQuickstart() throws Exception {
        JunctionSettings settings = ConfigLoader.load(TestConfig.quickstart().resolve("junction.conf"), CONNECTORS, Map.of());

        IntegrationSettings orders = settings.integrations().get("orders-to-erp");
        assertEquals("webhook", orders.source().kind());
        assertEquals(2, orders.steps().size());
        assertEquals(1, ((StepSettings.Map) orders.steps().get(1)).version());
        assertEquals("erp-files", orders.targets().get(0).name());
        assertEquals("h2", settings.persistence().journal());
        assertEquals(8080, settings.http().port());
    }

    @Test
    void reportsEveryMistakeWithFileLinePathAndReason() throws Exception {
        Path file = TestConfig.write(dir, """
            junction {
              http.port = 99999
              inbox.dedup-window = "soon"
              systems {
                shop { connector = http }
                erp { connector = soap }
                files { connector = file, root = "out" }
                junk { connector = file, colour = blue }
                slow {
                  connector = http
                  base-url = "http://127.0.0.1:1"
                  resilience.retry { min-backoff = 10s, max-backoff = 1s }
                }
              }
              integrations {
                a {
                  source { system = shop, webhook { path = "orders" } }
                  steps = [ { map { mapping = "mappings/missing.jslt", version = 1 } }, { transmogrify {} } ]
                  targets = [ { system = nowhere, http { path = "/x" } } ]
                }
                b {
                  source { system = shop, webhook { path = "orders" } }
                  targets = [ { system = files, file {} } ]
                }
              }
            }
            """);

        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file, CONNECTORS, Map.of()));

        Map<String, ConfigProblem> byPath = e.problems().stream().collect(Collectors.toMap(ConfigProblem::path, p -> p, (a, b) -> a));
        assertProblem(byPath, "junction.http.port", 2, "0 to 65535");
        assertProblem(byPath, "junction.inbox.dedup-window", 3, "duration");
        assertProblem(byPath, "junction.systems.erp.connector", 6, "unknown connector");
        assertProblem(byPath, "junction.systems.junk.colour", 8, "unknown setting");
        assertProblem(byPath, "junction.systems.slow.resilience.retry.min-backoff", 12, "max-backoff");
        assertProblem(byPath, "junction.integrations.a.steps.0.map.mapping", 18, "file not found");
        assertProblem(byPath, "junction.integrations.a.steps.1.transmogrify", 18, "unknown step");
        assertProblem(byPath, "junction.integrations.a.targets.0.system", 19, "unknown system");
        assertProblem(byPath, "junction.integrations.b.source.webhook", 22, "integration a takes already");
        assertTrue(byPath.containsKey("junction.integrations.b.targets.0.file.path"), e.getMessage());
        assertEquals(10, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().startsWith("10 problems in the configuration:"), e.getMessage());
    }

    @Test
    void reportsABrokenPredicateWithTheJsltError() throws Exception {
        Path file = TestConfig.write(dir, """
            junction {
              systems { shop { connector = http }, erp { connector = http, base-url = "http://127.0.0.1:1" } }
              integrations {
                a {
                  source { system = shop, webhook { path = "a" } }
                  steps = [ { filter { when = ".currency == " } } ]
                  targets = [ { system = erp, when = "((", http { path = "/x" } } ]
                }
              }
            }
            """);

        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file, CONNECTORS, Map.of()));

        Map<String, ConfigProblem> byPath = e.problems().stream().collect(Collectors.toMap(ConfigProblem::path, p -> p, (a, b) -> a));
        assertProblem(byPath, "junction.integrations.a.steps.0.filter.when", 6, "is not a JSLT expression");
        assertProblem(byPath, "junction.integrations.a.targets.0.when", 7, "is not a JSLT expression");
    }

    @Test
    void reportsEachMistakeInAnEnrichStep() throws Exception {
        Path file = TestConfig.write(dir, """
            junction {
              systems { shop { connector = http }, stock { connector = http, base-url = "http://127.0.0.1:1" }, drop { connector = file, root = "." } }
              integrations {
                a {
                  source { system = shop, webhook { path = "a" } }
                  steps = [ { enrich { system = nowhere, http { path = "/s/{/sku}" }, into = "/stock" } }
                            { enrich { system = stock, http { path = "/s/{sku}" }, into = "/stock" } }
                            { enrich { system = stock, http { path = "/s/{/sku}" }, into = "/stock", on-not-found = maybe } }
                            { enrich { system = stock, http { path = "/s/{/sku}" } } }
                            { enrich { system = drop, http { path = "/s/{/sku}" }, into = "/stock" } }
                            { enrich { system = stock, http { path = "/s/{/sku}" }, into = "/stock", cache { ttl = 5m, max-entries = 100 } } }
                            { enrich { system = stock, http { path = "/s/{/sku}" }, for-each = "lines" } }
                            { enrich { system = stock, http { path = "/s/{/sku}" }, for-each = "/lines", into = "stock" } }
                            { enrich { system = stock, http { path = "/s/{/sku}" }, for-each = "/lines" } } ]
                  targets = [ { system = stock, http { path = "/x" } } ]
                }
              }
            }
            """);

        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file, CONNECTORS, Map.of()));

        Map<String, ConfigProblem> byPath = e.problems().stream().collect(Collectors.toMap(ConfigProblem::path, p -> p, (a, b) -> a));
        assertProblem(byPath, "junction.integrations.a.steps.0.enrich.system", 6, "unknown system");
        assertProblem(byPath, "junction.integrations.a.steps.1.enrich.http.path", 7, "must be a JSON pointer");
        assertProblem(byPath, "junction.integrations.a.steps.2.enrich.on-not-found", 8, "must be null or dead-letter");
        assertProblem(byPath, "junction.integrations.a.steps.3.enrich.into", 9, "required");
        assertProblem(byPath, "junction.integrations.a.steps.4.enrich.system", 10, "cannot be read by an enrich step");
        assertProblem(byPath, "junction.integrations.a.steps.6.enrich.for-each", 12, "must be a JSON pointer to an array");
        assertProblem(byPath, "junction.integrations.a.steps.7.enrich.into", 13, "below the element");
        assertEquals(7, e.problems().size(), e.getMessage()); // a for-each without into merges the answer into each element
    }

    @Test
    void readsMappingVersionsAndSplitAndReportsEachMistakeInThem() throws Exception {
        Path good = TestConfig.write(dir.resolve("good"), """
            junction {
              systems { shop { connector = http }, erp { connector = http, base-url = "http://127.0.0.1:1" } }
              integrations {
                a {
                  source { system = shop, webhook { path = "a" } }
                  steps = [
                    { split { items = ".lines", key = ".sku" } }
                    { map { mapping = "mappings/order-to-erp.v3.jslt", version = 3, earlier-versions { 1 = "mappings/order-to-erp.jslt" } } }
                  ]
                  targets = [ { system = erp, http { path = "/x" } } ]
                }
              }
            }
            """);
        Files.copy(good.resolveSibling("mappings/order-to-erp.jslt"), good.resolveSibling("mappings/order-to-erp.v3.jslt"));
        IntegrationSettings a = ConfigLoader.load(good, CONNECTORS, Map.of()).integrations().get("a");
        StepSettings.Map map = (StepSettings.Map) a.steps().get(1);
        assertEquals("order-to-erp.jslt", map.name(), "the name is the same for every version's file");
        assertEquals(List.of(1, 3), List.copyOf(map.versions().keySet()));
        assertEquals("split(.lines)", a.steps().get(0).label());
        assertEquals(a.revision(), ConfigLoader.load(good, CONNECTORS, Map.of()).integrations().get("a").revision(), "same files, same revision");
        Files.writeString(good.resolveSibling("mappings/order-to-erp.jslt"), "{\"changed\": true}");
        assertTrue(!a.revision().equals(ConfigLoader.load(good, CONNECTORS, Map.of()).integrations().get("a").revision()),
                "a changed earlier version is a new revision");

        Path bad = TestConfig.write(dir.resolve("bad"), """
            junction {
              systems { shop { connector = http }, erp { connector = http, base-url = "http://127.0.0.1:1" } }
              integrations {
                a {
                  source { system = shop, webhook { path = "a" } }
                  steps = [
                    { split { key = ".sku" } }
                    { split { items = "[" } }
                    { map { mapping = "mappings/order-to-erp.jslt", version = 2, earlier-versions { 2 = "mappings/order-to-erp.jslt", 1 = "mappings/v1.jslt" } } }
                    { map { mapping = "mappings/order-to-erp.jslt", version = 2, earlier-versions = "v1" } }
                  ]
                  targets = [ { system = erp, http { path = "/x" } } ]
                }
              }
            }
            """);
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(bad, CONNECTORS, Map.of()));
        Map<String, ConfigProblem> byPath = e.problems().stream().collect(Collectors.toMap(ConfigProblem::path, p -> p, (x, y) -> x));
        assertProblem(byPath, "junction.integrations.a.steps.0.split.items", 7, "required");
        assertProblem(byPath, "junction.integrations.a.steps.1.split.items", 8, "is not a JSLT expression");
        assertProblem(byPath, "junction.integrations.a.steps.2.map.earlier-versions.2", 9, "below the current version 2");
        assertProblem(byPath, "junction.integrations.a.steps.2.map.earlier-versions.1", 9, "file not found");
        assertProblem(byPath, "junction.integrations.a.steps.3.map.earlier-versions", 10, "must be an object");
        assertEquals(5, e.problems().size(), e.getMessage());
    }

    @Test
    void readsAResiliencePolicyAndReportsEachMistakeInIt() throws Exception {
        Path good = TestConfig.write(dir.resolve("good"), """
            junction {
              systems {
                erp {
                  connector = http, base-url = "http://127.0.0.1:1"
                  resilience {
                    max-in-flight = 32
                    circuit-breaker { max-failures = 3, call-timeout = 2s, reset-timeout = 5s }
                    rate-limit { permits = 200 }
                    retry { max-attempts = 4, max-age = 1h }
                  }
                }
                crm { connector = http, base-url = "http://127.0.0.1:2" }
              }
            }
            """);
        JunctionSettings settings = ConfigLoader.load(good, CONNECTORS, Map.of());
        ResilienceSettings erp = settings.systems().get("erp").resilience();
        assertEquals(32, erp.maxInFlight());
        assertEquals(3, erp.breaker().maxFailures());
        assertEquals(java.time.Duration.ofSeconds(5), erp.breaker().resetTimeout());
        assertEquals(new ResilienceSettings.RateLimit(200, java.time.Duration.ofSeconds(1)), erp.rateLimit().orElseThrow());
        assertEquals(4, erp.retry().maxAttempts());
        assertEquals(java.time.Duration.ofHours(1), erp.retry().maxAge());
        ResilienceSettings crm = settings.systems().get("crm").resilience();
        assertTrue(crm.breaker().enabled() && crm.rateLimit().isEmpty(), crm.toString());
        assertEquals(64, crm.maxInFlight());
        assertEquals(1.0, crm.retry().randomFactor());

        Path bad = TestConfig.write(dir.resolve("bad"), """
            junction {
              systems {
                erp {
                  connector = http, base-url = "http://127.0.0.1:1"
                  resilience {
                    circuit-breaker { max-failures = 0, reset = 5s }
                    rate-limit { per = 1s }
                    retry { max-age = soon }
                  }
                }
              }
            }
            """);
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(bad, CONNECTORS, Map.of()));
        Map<String, ConfigProblem> byPath = e.problems().stream().collect(Collectors.toMap(ConfigProblem::path, p -> p, (a, b) -> a));
        assertProblem(byPath, "junction.systems.erp.resilience.circuit-breaker.max-failures", 6, "at least 1");
        assertProblem(byPath, "junction.systems.erp.resilience.circuit-breaker.reset", 6, "unknown setting");
        assertProblem(byPath, "junction.systems.erp.resilience.rate-limit.permits", 7, "required");
        assertProblem(byPath, "junction.systems.erp.resilience.retry.max-age", 8, "duration");
    }

    @Test
    void reportsASyntaxErrorWithItsLine() throws Exception {
        Path file = dir.resolve("broken.conf");
        Files.writeString(file, "junction {\n  http { port = 8080\n  systems {}\n");

        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file, CONNECTORS, Map.of()));

        ConfigProblem problem = e.problems().get(0);
        assertEquals(file.toString(), problem.file());
        assertTrue(problem.line() > 0, problem.toString());
    }

    @Test
    void reportsAMissingFile() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> ConfigLoader.load(dir.resolve("nope.conf"), CONNECTORS, Map.of()));

        assertTrue(e.getMessage().contains("configuration file not found"), e.getMessage());
    }

    @Test
    void environmentVariablesOverrideTheFile() throws Exception {
        Path file = TestConfig.write(dir, "junction { http.port = 9000, persistence.pool-size = 4 }");

        JunctionSettings settings = ConfigLoader.load(file, CONNECTORS, Map.of(
                "JUNCTION_HTTP_PORT", "9123",
                "JUNCTION_DB_URL", "jdbc:postgresql://127.0.0.1:5432/junction",
                "JUNCTION_DB_USER", "junction"));

        assertEquals(9123, settings.http().port());
        assertEquals("postgres", settings.persistence().journal());
        assertEquals("junction", settings.persistence().user());
        assertEquals(4, settings.persistence().poolSize());
        assertTrue(settings.persistence().jdbcUrl().endsWith("reWriteBatchedInserts=true"));
    }

    @Test
    void thePostgresOverlaySelectsPostgresAndTheEnvironmentStillWins() throws Exception {
        Path overlay = TestConfig.quickstart().resolve("../../cluster-config/postgres.conf").normalize();
        Path file = TestConfig.write(dir, "include file(\"" + overlay + "\")\njunction {}");

        JunctionSettings fromFile = ConfigLoader.load(file, CONNECTORS, Map.of());
        JunctionSettings fromEnv = ConfigLoader.load(file, CONNECTORS, Map.of("JUNCTION_DB_URL", "jdbc:postgresql://db:5432/prod"));

        assertEquals("postgres", fromFile.persistence().journal());
        assertEquals("jdbc:postgresql://127.0.0.1:5432/junction", fromFile.persistence().url());
        assertEquals("jdbc:postgresql://db:5432/prod", fromEnv.persistence().url());
    }

    @Test
    void aBadEnvironmentValueNamesTheVariable() throws Exception {
        Path file = TestConfig.write(dir, "junction {}");

        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> ConfigLoader.load(file, CONNECTORS, Map.of("JUNCTION_HTTP_PORT", "eighty")));

        assertTrue(e.getMessage().contains("JUNCTION_HTTP_PORT") && e.getMessage().contains("junction.http.port"), e.getMessage());
    }

    private static void assertProblem(Map<String, ConfigProblem> byPath, String path, int line, String reasonPart) {
        ConfigProblem problem = byPath.get(path);
        assertTrue(problem != null, "no problem reported at " + path + "; got " + List.copyOf(byPath.keySet()));
        assertTrue(problem.file().endsWith("junction.conf"), problem.toString());
        assertEquals(line, problem.line(), problem.toString());
        assertTrue(problem.reason().contains(reasonPart), problem.toString());
    }
}
