package dev.junction.connectors.jdbc;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.connectors.api.SinkRecord;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Set;

/**
 * Where one column's value comes from: a JSON pointer into the delivered message ({@code /order/total}), or one of the
 * record's own values ({@code $key} the idempotency key, {@code $message-id}, {@code $integration}, {@code $payload} the
 * whole message as JSON text). Binds it to a statement as the database's type for it: numbers as numbers, booleans as
 * booleans, objects and arrays as JSON text, a missing value or JSON null as SQL NULL; on PostgreSQL text is sent untyped,
 * so the server converts it to the column's type (a date, a numeric, jsonb) and refuses what does not convert (SQLState 22).
 * Immutable.
 */
record ColumnValue(String spec, JsonPointer pointer) {
    static final Set<String> OWN = Set.of("$key", "$message-id", "$integration", "$payload");

    static boolean isValid(String spec) {
        if (OWN.contains(spec)) {
            return true;
        }
        try {
            return spec.startsWith("/") && JsonPointer.compile(spec) != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static ColumnValue parse(String spec) {
        return new ColumnValue(spec, OWN.contains(spec) ? null : JsonPointer.compile(spec));
    }

    void bind(PreparedStatement statement, int index, SinkRecord record, Dialect dialect) throws SQLException {
        switch (spec) {
            case "$key" -> statement.setString(index, record.idempotencyKey());
            case "$message-id" -> statement.setString(index, record.messageId());
            case "$integration" -> statement.setString(index, record.integration());
            case "$payload" -> text(statement, index, new String(record.payloadBytes(), StandardCharsets.UTF_8), dialect);
            default -> bind(statement, index, record.payload().at(pointer), dialect);
        }
    }

    private static void bind(PreparedStatement statement, int index, JsonNode value, Dialect dialect) throws SQLException {
        if (value.isMissingNode() || value.isNull()) {
            statement.setNull(index, Types.NULL);
        } else if (value.isIntegralNumber() && value.canConvertToLong()) {
            statement.setLong(index, value.longValue());
        } else if (value.isNumber()) {
            statement.setBigDecimal(index, value.decimalValue());
        } else if (value.isBoolean()) {
            statement.setBoolean(index, value.booleanValue());
        } else if (value.isTextual()) {
            text(statement, index, value.textValue(), dialect);
        } else {
            text(statement, index, value.toString(), dialect);
        }
    }

    private static void text(PreparedStatement statement, int index, String text, Dialect dialect) throws SQLException {
        if (dialect == Dialect.POSTGRESQL) {
            statement.setObject(index, text, Types.OTHER);
        } else {
            statement.setString(index, text);
        }
    }
}
