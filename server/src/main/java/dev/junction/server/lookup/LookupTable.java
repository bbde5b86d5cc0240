package dev.junction.server.lookup;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;

/**
 * One lookup table as loaded: immutable, so a reload makes a new one and the revisions running the old one keep it.
 *
 * @param name    the table's name under {@code junction.lookups}
 * @param file    the file it was read from
 * @param version the first 12 hex digits of a SHA-256 of the file's bytes: what a message records as the table version
 * @param rows    each key's value: a string (a two-column CSV), an object (more columns), or any JSON value (a JSON file)
 */
public record LookupTable(String name, Path file, String version, Map<String, JsonNode> rows) {
    public LookupTable {
        rows = Map.copyOf(rows);
    }

    /** How a message's lineage records this table: {@code store-accounts@3f2a1b0c9d8e}. */
    public String tag() {
        return name + "@" + version;
    }
}
