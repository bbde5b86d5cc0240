package dev.junction.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a test's configuration into its own directory, with the quickstart's schema and mapping beside it, so relative paths
 * resolve as they do for users.
 */
public final class TestConfig {
    private TestConfig() {}

    /** The repository's examples/quickstart directory. */
    public static Path quickstart() {
        Path here = Path.of("").toAbsolutePath();
        Path candidate = here.resolve("../examples/quickstart").normalize();
        return Files.isDirectory(candidate) ? candidate : here.resolve("examples/quickstart");
    }

    /** Writes {@code hocon} as {@code junction.conf} in {@code dir}, copying the quickstart's schemas and mappings there. */
    public static Path write(Path dir, String hocon) {
        try {
            Files.createDirectories(dir.resolve("schemas"));
            Files.createDirectories(dir.resolve("mappings"));
            Files.copy(quickstart().resolve("schemas/webshop-order.schema.json"), dir.resolve("schemas/webshop-order.schema.json"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(quickstart().resolve("mappings/order-to-erp.jslt"), dir.resolve("mappings/order-to-erp.jslt"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Path file = dir.resolve("junction.conf");
            Files.writeString(file, hocon);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An integration from a webhook to an HTTP target through the quickstart's steps. */
    public static String webhookToHttp(String targetBaseUrl, String extraTargetSystemSettings) {
        return """
            junction {
              http.port = 0
              node.port = 0
              systems {
                webshop { connector = http }
                erp {
                  connector = http
                  base-url = "%s"
                  %s
                }
              }
              integrations {
                orders-to-erp {
                  source { system = webshop, webhook { path = "webshop/orders", max-body-size = 64k } }
                  steps = [
                    { validate { schema = "schemas/webshop-order.schema.json" } }
                    { map { mapping = "mappings/order-to-erp.jslt", version = 1 } }
                  ]
                  targets = [ { system = erp, http { method = POST, path = "/erp/orders" } } ]
                }
              }
            }
            """.formatted(targetBaseUrl, extraTargetSystemSettings);
    }

    public static String order(String id) {
        return """
            {"id":"%s","currency":"EUR","customer":{"email":"ada@example.com","name":"Ada"},"lines":[{"sku":"LAMP-01","qty":2,"price":19.5}]}"""
                .formatted(id);
    }
}
