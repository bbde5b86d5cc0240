package dev.junction.connectors.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One row change as Junction carries it, built from a Debezium change event (its key and value as JSON, without schemas).
 * The body holds only what is the same each time the change is read from the slot (never Debezium's processing time), so a
 * change read again after a restart has the same bytes and the inbox answers it as a duplicate, not a conflict:
 *
 * <pre>
 * {"op":"update","table":"public.orders","key":{"id":42},"row":"public.orders/42","lsn":"0/16B3748","txId":771,
 *  "committedAt":"2026-12-01T08:30:00.123Z","before":{...}|null,"after":{...}|null}
 * </pre>
 *
 * {@code row} is the table and the primary key as one string: what per-key ordering partitions by
 * ({@code partition-key = "json:/row"}, also in the {@code cdc-row} header). The idempotency key is the row and the change's
 * log sequence number ({@code public.orders/42@0/16B3748}): each change of a row has its own LSN, and reading it again gives
 * the same one.
 *
 * @param key  the idempotency key
 * @param body the JSON above, UTF-8
 */
record ChangeEnvelope(String key, byte[] body, JsonNode json, Map<String, String> headers) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_KEY = 255;

    /** The Junction name of a Debezium operation code; null for one that is not a row change. */
    static String operation(String code) {
        return switch (code) {
            case "c" -> "insert";
            case "u" -> "update";
            case "d" -> "delete";
            case "r" -> "read";
            default -> null;
        };
    }

    /**
     * The envelope of one change event; throws {@link IllegalArgumentException} for an event that is not a row change of a
     * table with a primary key.
     */
    static ChangeEnvelope of(String keyJson, String valueJson) {
        JsonNode value = parse(valueJson, "value");
        JsonNode source = value.path("source");
        String op = operation(value.path("op").asText(""));
        if (op == null) {
            throw new IllegalArgumentException("not a row change: op " + value.path("op"));
        }
        JsonNode primaryKey = keyJson == null ? null : parse(keyJson, "key");
        if (primaryKey == null || !primaryKey.isObject() || primaryKey.isEmpty()) {
            throw new IllegalArgumentException("the table " + source.path("schema").asText() + "." + source.path("table").asText()
                    + " has no primary key");
        }
        String table = source.path("schema").asText() + "." + source.path("table").asText();
        String lsn = lsnText(source.path("lsn").asLong());
        String row = table + "/" + keyText(primaryKey);

        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("op", op);
        body.put("table", table);
        body.set("key", primaryKey);
        body.put("row", row);
        body.put("lsn", lsn);
        body.set("txId", source.path("txId"));
        if (source.hasNonNull("ts_ms")) {
            body.put("committedAt", Instant.ofEpochMilli(source.path("ts_ms").asLong()).toString());
        }
        body.set("before", value.path("before").isMissingNode() ? JsonNodeFactory.instance.nullNode() : value.path("before"));
        body.set("after", value.path("after").isMissingNode() ? JsonNodeFactory.instance.nullNode() : value.path("after"));
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new ChangeEnvelope(idempotencyKey(table, row, lsn), bytes, body,
                Map.of("cdc-table", table, "cdc-row", ascii(row), "cdc-lsn", lsn, "cdc-op", op));
    }

    /** {@code row@lsn}, ASCII; a row too long for a key is replaced by its table and the SHA-256 of the row. */
    static String idempotencyKey(String table, String row, String lsn) {
        String key = ascii(row) + "@" + lsn;
        if (key.length() <= MAX_KEY) {
            return key;
        }
        return ascii(table) + "/sha256:" + sha256(row) + "@" + lsn;
    }

    /** The primary key's values in column order, joined by '/'; a '/' or '%' inside a value is percent-encoded. */
    static String keyText(JsonNode primaryKey) {
        List<String> parts = new ArrayList<>();
        for (Iterator<JsonNode> values = primaryKey.elements(); values.hasNext(); ) {
            JsonNode v = values.next();
            String text = v.isValueNode() ? v.asText() : v.toString();
            parts.add(text.replace("%", "%25").replace("/", "%2F"));
        }
        return String.join("/", parts);
    }

    /** PostgreSQL's text form of a log sequence number: {@code 16/B374D848}. */
    static String lsnText(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }

    /** {@code text} with every character outside printable ASCII (and '%') percent-encoded as UTF-8. */
    static String ascii(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c > 0x20 && c < 0x7F && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(HexFormat.of().withUpperCase().toHexDigits((byte) c));
            }
        }
        return out.toString();
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(String text, String what) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("the change event's " + what + " is not JSON: " + e.getMessage());
        }
    }
}
