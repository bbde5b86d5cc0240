package dev.junction.server.lookup;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a lookup table from a file's bytes, the same way at load time and for {@code PUT /api/v1/lookups/<name>}, collecting
 * every problem with its line. A {@code .json} file is one object, key to value. Any other file is CSV (RFC 4180: commas,
 * double quotes around a value that holds a comma, a quote or a line break) with a header row: the first column is the key;
 * with one more column each key maps to that column's text, with several to an object of the columns by their header names.
 */
public final class LookupFiles {
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private LookupFiles() {}

    /** The table, or null with the problems, each {@code line N: reason}. */
    public record Parsed(LookupTable table, List<String> problems) {}

    public static Parsed read(String name, Path file, byte[] bytes) {
        String version = version(bytes);
        return file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".json")
                ? json(name, file, version, bytes) : csv(name, file, version, new String(bytes, StandardCharsets.UTF_8));
    }

    private static Parsed json(String name, Path file, String version, byte[] bytes) {
        JsonNode tree;
        try {
            tree = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            return failed("line " + e.getLocation().getLineNr() + ": " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            return failed(e.getMessage());
        }
        if (tree == null || !tree.isObject()) {
            return failed("line 1: must be a JSON object of key to value, e.g. {\"S1\": \"4711\"}");
        }
        Map<String, JsonNode> rows = new LinkedHashMap<>();
        tree.fields().forEachRemaining(e -> rows.put(e.getKey(), e.getValue()));
        return new Parsed(new LookupTable(name, file, version, rows), List.of());
    }

    private static Parsed csv(String name, Path file, String version, String text) {
        List<String> problems = new ArrayList<>();
        List<CsvRows.Row> rows = CsvRows.parse(text, problems);
        if (!problems.isEmpty()) {
            return new Parsed(null, problems);
        }
        if (rows.isEmpty()) {
            return failed("line 1: the file is empty: it needs a header row (key,value) and a row per key");
        }
        List<String> header = rows.get(0).cells();
        if (header.size() < 2) {
            return failed("line " + rows.get(0).line() + ": the header row needs at least two columns: the key and a value");
        }
        for (int i = 0; i < header.size(); i++) {
            if (header.get(i).isBlank() || header.indexOf(header.get(i)) != i) {
                problems.add("line " + rows.get(0).line() + ": column " + (i + 1) + " needs a name of its own (it is '"
                        + header.get(i) + "')");
            }
        }
        Map<String, JsonNode> values = new LinkedHashMap<>();
        Map<String, Integer> firstLine = new java.util.HashMap<>();
        for (CsvRows.Row row : rows.subList(1, rows.size())) {
            List<String> cells = row.cells();
            if (cells.size() != header.size()) {
                problems.add("line " + row.line() + ": " + cells.size() + " column(s), the header has " + header.size());
                continue;
            }
            String key = cells.get(0);
            if (key.isEmpty()) {
                problems.add("line " + row.line() + ": the key (column " + header.get(0) + ") is empty");
                continue;
            }
            Integer earlier = firstLine.putIfAbsent(key, row.line());
            if (earlier != null) {
                problems.add("line " + row.line() + ": duplicate key '" + key + "' (first on line " + earlier + ")");
                continue;
            }
            values.put(key, value(header, cells));
        }
        return problems.isEmpty() ? new Parsed(new LookupTable(name, file, version, values), List.of()) : new Parsed(null, problems);
    }

    private static JsonNode value(List<String> header, List<String> cells) {
        if (header.size() == 2) {
            return JsonNodeFactory.instance.textNode(cells.get(1));
        }
        ObjectNode object = JsonNodeFactory.instance.objectNode();
        for (int i = 1; i < header.size(); i++) {
            object.put(header.get(i), cells.get(i));
        }
        return object;
    }

    private static Parsed failed(String problem) {
        return new Parsed(null, List.of(problem));
    }

    /** The first 12 hex digits of a SHA-256 of {@code bytes}. */
    static String version(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
