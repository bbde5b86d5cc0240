package dev.junction.server.channels;

import dev.junction.server.testing.TestConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** The files of {@code examples/order-channel} the channel tests run on: the canonical schema, the web shop's, the mappings. */
final class OrderChannelExample {
    private static final List<String> FILES = List.of("canonical/order.v1.schema.json", "mappings/webshop-to-canonical.jslt",
            "mappings/canonical-to-erp.jslt", "mappings/canonical-to-crm.jslt", "schemas/webshop-order.schema.json");

    private OrderChannelExample() {}

    static void copyTo(Path dir) throws IOException {
        Path example = TestConfig.quickstart().getParent().resolve("order-channel");
        for (String file : FILES) {
            Files.createDirectories(dir.resolve(file).getParent());
            Files.copy(example.resolve(file), dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
