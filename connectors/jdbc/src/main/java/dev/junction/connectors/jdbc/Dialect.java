package dev.junction.connectors.jdbc;

import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What differs between the databases the connector speaks: how a name is quoted, how an upsert and an insert that ignores a
 * key seen before are written, and which failures mean a deadlock. Every name in the SQL the connector writes comes from the
 * configuration, is checked against {@link #isName} at load time and is quoted here; every value is a bound parameter.
 */
enum Dialect {
    POSTGRESQL('"'),
    MARIADB('`');

    /** An unquoted SQL name: a letter or underscore, then letters, digits and underscores; at most 63 characters. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    private final char quote;

    Dialect(char quote) {
        this.quote = quote;
    }

    static Dialect of(String url) {
        if (url.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        if (url.startsWith("jdbc:mariadb:")) {
            return MARIADB;
        }
        throw new IllegalArgumentException("not a jdbc:postgresql: or jdbc:mariadb: URL");
    }

    /** A column name, or a table name with an optional schema ({@code public.outbox}). */
    static boolean isName(String name, boolean qualified) {
        String[] parts = name.split("\\.", -1);
        if (parts.length > (qualified ? 2 : 1)) {
            return false;
        }
        for (String part : parts) {
            if (!NAME.matcher(part).matches()) {
                return false;
            }
        }
        return true;
    }

    /** {@code name} quoted, each part of a qualified name on its own; {@code name} must pass {@link #isName}. */
    String quote(String name) {
        if (!isName(name, true)) {
            throw new IllegalArgumentException("not a checked SQL name: " + name);
        }
        return java.util.Arrays.stream(name.split("\\.")).map(part -> quote + part + quote).collect(Collectors.joining("."));
    }

    /** {@code INSERT INTO table (columns) VALUES (?, ...)}, that replaces the row with the same key columns when asked. */
    String insert(String table, List<String> columns, List<String> keyColumns, boolean upsert) {
        String insert = "INSERT INTO " + quote(table) + " (" + columns.stream().map(this::quote).collect(Collectors.joining(", "))
                + ") VALUES (" + columns.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
        if (!upsert) {
            return insert;
        }
        List<String> others = columns.stream().filter(c -> !keyColumns.contains(c)).toList();
        if (this == POSTGRESQL) {
            String conflict = " ON CONFLICT (" + keyColumns.stream().map(this::quote).collect(Collectors.joining(", ")) + ")";
            return others.isEmpty() ? insert + conflict + " DO NOTHING"
                    : insert + conflict + " DO UPDATE SET " + others.stream().map(c -> quote(c) + " = EXCLUDED." + quote(c))
                            .collect(Collectors.joining(", "));
        }
        List<String> updated = others.isEmpty() ? keyColumns.subList(0, 1) : others;
        return insert + " ON DUPLICATE KEY UPDATE " + updated.stream().map(c -> quote(c) + " = VALUES(" + quote(c) + ")")
                .collect(Collectors.joining(", "));
    }

    /** An insert into the processed-keys table that inserts nothing (and counts 0) when the key is there already. */
    String claimKey(String table) {
        String columns = " (integration, idempotency_key, message_id) VALUES (?, ?, ?)";
        return this == POSTGRESQL ? "INSERT INTO " + quote(table) + columns + " ON CONFLICT DO NOTHING"
                : "INSERT IGNORE INTO " + quote(table) + columns;
    }

    /** The processed-keys table: one row per key applied, written in the transaction of the effect. */
    String createProcessedKeys(String table) {
        return "CREATE TABLE IF NOT EXISTS " + quote(table) + " (integration VARCHAR(200) NOT NULL, idempotency_key VARCHAR(255) NOT NULL,"
                + " message_id VARCHAR(100) NOT NULL, processed_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,"
                + " PRIMARY KEY (integration, idempotency_key))";
    }

    /** Whether two column names are the same column: PostgreSQL compares quoted names exactly, MariaDB ignores case. */
    boolean sameColumn(String a, String b) {
        return this == POSTGRESQL ? a.equals(b) : a.toLowerCase(Locale.ROOT).equals(b.toLowerCase(Locale.ROOT));
    }

    /** A deadlock or a serialization failure: the transaction was chosen as the victim and may simply be tried again. */
    static boolean isDeadlock(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return state.equals("40001") || state.equals("40P01") || e.getErrorCode() == 1213 || e.getErrorCode() == 1205;
    }
}
