package dev.junction.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import dev.junction.server.lookup.LookupFiles;
import dev.junction.server.lookup.LookupTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads {@code junction.lookups { <name> { file = "..." } }}: each table's file, relative to the configuration file. A problem
 * in a table names the configuration path and the table file's line.
 */
final class LookupsReader {
    private LookupsReader() {}

    static Map<String, LookupTable> read(Config junction, Path configDir, Problems problems) {
        Map<String, LookupTable> tables = new TreeMap<>();
        ConfigLoader.objects(junction, "lookups", "junction.lookups", problems).forEach((name, block) -> {
            String path = "junction.lookups." + ConfigLoader.quoted(name);
            if (!IntegrationsReader.NAME.matcher(name).matches()) {
                problems.at(junction.getConfig("lookups"), name, path, "lookup table names take letters, digits, '.', '_' and '-' (at most 64)");
                return;
            }
            for (String key : block.root().keySet()) {
                if (!key.equals("file")) {
                    problems.at(block, key, path + "." + key, "unknown setting (known: file)");
                }
            }
            if (!block.hasPath("file") || block.getValue("file").valueType() != ConfigValueType.STRING) {
                problems.missing(block.origin(), path + ".file", "is required: the table's CSV or JSON file, relative to the configuration file");
                return;
            }
            Path file = configDir.resolve(block.getString("file")).normalize();
            if (!Files.isRegularFile(file)) {
                problems.at(block, "file", path + ".file", "file not found: " + file);
                return;
            }
            try {
                LookupFiles.Parsed parsed = LookupFiles.read(name, file, Files.readAllBytes(file));
                parsed.problems().forEach(p -> problems.at(block, "file", path + ".file", file + " " + p));
                if (parsed.table() != null) {
                    tables.put(name, parsed.table());
                }
            } catch (IOException e) {
                problems.at(block, "file", path + ".file", "cannot be read: " + e.getMessage());
            }
        });
        return tables;
    }
}
