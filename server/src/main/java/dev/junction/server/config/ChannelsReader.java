package dev.junction.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * Reads {@code junction.channels}: each channel's schema versions, like a map step's mapping versions
 * ({@code schema}, {@code version}, {@code earlier-versions { 1 = "..." }}). Schemas are compiled once, here.
 */
final class ChannelsReader {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EARLIER = VersionedFiles.EARLIER;
    private static final Set<String> KNOWN = Set.of("schema", "version", EARLIER, "description");

    private ChannelsReader() {}

    static Map<String, ChannelSettings> read(Config junction, Path configDir, Problems problems) {
        Map<String, ChannelSettings> result = new LinkedHashMap<>();
        ConfigLoader.objects(junction, "channels", "junction.channels", problems).forEach((name, block) -> {
            String path = "junction.channels." + ConfigLoader.quoted(name);
            if (!IntegrationsReader.NAME.matcher(name).matches()) {
                problems.at(junction.getConfig("channels"), name, path, "channel names take letters, digits, '.', '_' and '-' (at most 64)");
            }
            for (String key : block.root().keySet()) {
                if (!KNOWN.contains(key)) {
                    problems.at(block, key, path + "." + key, "unknown setting (known: schema, version, earlier-versions, description)");
                }
            }
            ChannelSettings channel = channel(name, block, path, configDir, problems);
            if (channel != null) {
                result.put(name, channel);
            }
        });
        return result;
    }

    private static ChannelSettings channel(String name, Config block, String path, Path configDir, Problems problems) {
        int current = 1;
        if (block.hasPath("version")) {
            Object value = block.getValue("version").unwrapped();
            if (!(value instanceof Integer v) || v < 1) {
                problems.at(block, "version", path + ".version", "must be a whole number from 1, the current schema version");
                return null;
            }
            current = v;
        }
        if (!block.hasPath("schema")) {
            problems.missing(block.origin(), path + ".schema", "is required: the JSON Schema file of the canonical model");
            return null;
        }
        SortedMap<Integer, ChannelSettings.Schema> versions = VersionedFiles.read(block, "schema", current, path, "schema",
                "canonical/order.v1.schema.json", problems, (in, key, version, at) -> schema(in, key, version, at, configDir, problems));
        return versions == null ? null : new ChannelSettings(name, current, versions);
    }

    private static ChannelSettings.Schema schema(Config block, String key, int version, String path, Path configDir, Problems problems) {
        if (block.getValue(key).valueType() != ConfigValueType.STRING) {
            problems.at(block.root().get(key.replace("\"", "")), path, "must be the schema file of version " + version);
            return null;
        }
        Path file = configDir.resolve(block.getString(key)).normalize();
        if (!Files.isRegularFile(file)) {
            problems.at(block.root().get(key.replace("\"", "")), path, "file not found: " + file);
            return null;
        }
        try {
            return new ChannelSettings.Schema(version, file, LocalSchemas.compile(file, JSON.readTree(file.toFile())));
        } catch (JsonProcessingException e) {
            problems.at(block.root().get(key.replace("\"", "")), path, "is not valid JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (IOException | RuntimeException e) {
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof LocalSchemas.Unresolvable)) {
                cause = cause.getCause();
            }
            problems.at(block.root().get(key.replace("\"", "")), path, cause instanceof LocalSchemas.Unresolvable
                    ? cause.getMessage() : "is not a usable JSON Schema: " + e.getMessage());
        }
        return null;
    }
}
