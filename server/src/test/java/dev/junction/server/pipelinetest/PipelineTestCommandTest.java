package dev.junction.server.pipelinetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.server.testing.TestConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code junction-server test}: the examples' own cases pass, a mismatch exits 1 with a diff, a bad test file exits 2. */
class PipelineTestCommandTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return TestCommand.run(List.of(args), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyExampleShipsCasesAndTheyPass() throws IOException {
        Path examples = TestConfig.quickstart().getParent();
        List<Path> folders;
        try (Stream<Path> list = Files.list(examples)) {
            folders = list.filter(f -> Files.isRegularFile(f.resolve("junction.conf"))).sorted().toList();
        }
        assertFalse(folders.isEmpty(), "no example under " + examples);
        for (Path folder : folders) {
            boolean hadOut = Files.exists(folder.resolve("out"));
            out.reset();
            err.reset();

            int code = run(folder.toString());

            assertEquals(0, code, folder + ":\n" + out() + err());
            assertTrue(out().contains("PASS  "), out());
            assertFalse(out().contains("FAIL  "), out());
            assertEquals(hadOut, Files.exists(folder.resolve("out")), "the test run wrote to a target of " + folder);
        }
    }

    @Test
    void aMismatchExitsWith1AndNamesEachDifferenceByItsJsonPointer() throws IOException {
        Path config = quickstartLike();
        write("tests/wrong-total.conf", """
            input { file = "../order.json", idempotency-key = "k-1" }
            expect.targets.erp { outcome = delivered, payload = {
              "orderNumber": "SO-1001", "customer": { "email": "ada@example.com", "name": "Ada Lovelace" }, "currency": "EUR",
              "items": [ { "article": "LAMP-01", "quantity": 2, "unitPrice": 19.5 }, { "article": "BULB-E27", "quantity": 4, "unitPrice": 3.25 } ],
              "total": 51.0, "status": "new"
            } }
            """);
        write("tests/right-total.conf", """
            input.file = "../order.json"
            expect.steps = [ { step = 1, output = { "orderNumber": "SO-1001", "total": 52, "currency": "EUR",
              "customer": { "name": "Ada Lovelace", "email": "ada@example.com" },
              "items": [ { "article": "LAMP-01", "quantity": 2, "unitPrice": 19.5 }, { "article": "BULB-E27", "quantity": 4, "unitPrice": 3.25 } ] } } ]
            """);
        write("tests/wrong-outcome.conf", """
            input.json = { "id": "SO-9", "customer": {}, "lines": [] }
            expect.targets.erp.outcome = delivered
            """);

        int code = run(config.getParent().toString());

        assertEquals(1, code, out() + err());
        String printed = out();
        assertTrue(printed.contains("PASS  right-total ("), printed);
        assertTrue(printed.contains("FAIL  wrong-total ("), printed);
        assertTrue(printed.contains("      target erp, payload:\n        /status: expected \"new\", got nothing (missing)\n"
                + "        /total: expected 51, got 52.0\n"), printed);
        assertTrue(printed.contains("FAIL  wrong-outcome ("), printed);
        assertTrue(printed.contains("target erp: expected delivered, got dead-lettered, validation: validate(webshop-order.schema.json): "), printed);
        assertTrue(printed.contains("/customer/email: required property 'email' not found"), printed);
        assertTrue(printed.contains("/lines: "), printed);
        assertTrue(printed.contains("\n3 cases: 1 passed, 2 failed ("), printed);
    }

    @Test
    void aBadTestFileExitsWith2ListingEveryProblemWithFileLineAndPath() throws IOException {
        Path config = quickstartLike();
        write("tests/bad.conf", """
            input { json = { "id": "x" }, file = "../order.json" }
            expect {
              targets { crm { outcome = delivered } }
              steps = [ { step = transform, output = {} } ]
              split = [ { key = "x/0", vaule = {} } ]
            }
            """);
        write("tests/broken.conf", "input { json = { ");
        write("tests/fine.conf", """
            input.file = "../order.json"
            expect.targets.erp.outcome = sent
            """);

        int code = run(config.toString());

        assertEquals(2, code, out() + err());
        assertEquals("", out());
        String printed = err();
        assertTrue(printed.startsWith("6 problems in the test files:\n"), printed);
        assertTrue(printed.contains("bad.conf:1: input: needs exactly one of json = <the message> or file = "), printed);
        assertTrue(printed.contains("bad.conf:3: expect.targets.crm = {\"outcome\":\"delivered\"}: unknown target (targets of orders: erp;"), printed);
        assertTrue(printed.contains("bad.conf:4: expect.steps.0.step = \"transform\": no such step (steps of orders: "
                + "0 validate(webshop-order.schema.json), 1 map(order-to-erp.jslt v1);"), printed);
        assertTrue(printed.contains("bad.conf:5: expect.split.0.vaule = {}: unknown setting (known: key, split, steps, targets, value, value-file)"), printed);
        assertTrue(printed.contains("broken.conf:1: "), printed);
        assertTrue(printed.contains("fine.conf:2: expect.targets.erp.outcome = \"sent\": must be delivered, filtered or dead-lettered"), printed);
    }

    @Test
    void aFolderWithoutCasesExitsWith2() throws IOException {
        Path config = quickstartLike();

        assertEquals(2, run(config.toString()));
        assertTrue(err().startsWith("no test cases in " + dir.resolve("tests")), err());
    }

    @Test
    void aBadConfigurationExitsWith2WithItsProblems() {
        Path config = TestConfig.write(dir, "junction { systems { erp { connector = soap } } }");

        assertEquals(2, run(config.toString()));
        assertTrue(err().contains("junction.systems.erp.connector = \"soap\": unknown connector"), err());
    }

    @Test
    void filterSplitAndRoutesArePredictedAsDeliveryRecordsThem() throws IOException {
        Path config = TestConfig.write(dir, """
            junction {
              systems { shop { connector = http }, files { connector = file, root = "out" } }
              integrations {
                lines {
                  source { system = shop, webhook { path = "orders", idempotency-key = "json:/id" } }
                  steps = [
                    { filter { when = ".status == \\"paid\\"" } }
                    { split { items = ".lines", key = ".sku" } }
                    { map { mapping = "mappings/line.jslt", version = 1 } }
                  ]
                  targets = [
                    { name = bulk, system = files, when = ".quantity >= 10", file { path = "bulk.jsonl" } }
                    { name = all, system = files, file { path = "all.jsonl" } }
                  ]
                }
              }
            }
            """);
        write("mappings/line.jslt", "{ \"article\": .sku, \"quantity\": .qty }");
        write("tests/lines.conf", """
            cases = [
              {
                name = paid
                input.json = { "id": "SO-7", "status": "paid", "lines": [ { "sku": "LAMP-01", "qty": 2 }, { "sku": "BULB-E27", "qty": 12 } ] }
                expect.split = [
                  { key = "SO-7/LAMP-01", value = { "sku": "LAMP-01", "qty": 2 }
                    steps = [ { step = map, output = { "article": "LAMP-01", "quantity": 2 } } ]
                    targets { bulk { outcome = filtered, rule = ".quantity >= 10" }, all { outcome = delivered } } }
                  { key = "SO-7/BULB-E27"
                    targets { "*" { outcome = delivered, payload = { "article": "BULB-E27", "quantity": 12 } } } }
                ]
              }
              {
                name = unpaid
                input.json = { "id": "SO-8", "status": "open", "lines": [] }
                expect.targets { "*" { outcome = filtered, rule = "filter(.status == \\"paid\\")" } }
              }
              {
                name = "split elements go to the targets, not the message"
                input.json = { "id": "SO-9", "status": "paid", "lines": [ { "sku": "A", "qty": 1 } ] }
                expect.targets.all.outcome = delivered
              }
            ]
            """);

        int code = run(config.toString());

        assertEquals(1, code, out() + err());
        assertTrue(out().contains("PASS  lines/paid ("), out());
        assertTrue(out().contains("PASS  lines/unpaid ("), out());
        assertTrue(out().contains("FAIL  lines/split elements go to the targets, not the message (" ), out());
        assertTrue(out().contains("      target all: no outcome: the message was split at split(.lines) into 1 elements"), out());
        assertTrue(out().contains("; its elements go to the targets (expect them under split = [...])"), out());
    }

    /** The quickstart's steps and order (../order.json from tests/) with an HTTP target named erp. */
    private Path quickstartLike() throws IOException {
        Path config = TestConfig.write(dir, QUICKSTART_LIKE);
        Files.copy(TestConfig.quickstart().resolve("order.json"), dir.resolve("order.json"));
        return config;
    }

    private void write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static final String QUICKSTART_LIKE = """
        junction {
          systems { shop { connector = http }, erp { connector = http, base-url = "http://127.0.0.1:9" } }
          integrations {
            orders {
              source { system = shop, webhook { path = "orders" } }
              steps = [
                { validate { schema = "schemas/webshop-order.schema.json" } }
                { map { mapping = "mappings/order-to-erp.jslt", version = 1 } }
              ]
              targets = [ { system = erp, http { path = "/erp/orders" } } ]
            }
          }
        }
        """;
}
