package dev.junction.connectors.jdbc;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** One {@code jdbc} target's settings, read once from its validated block (defaults applied). Immutable. */
record JdbcSinkSettings(Mode mode, String table, List<String> keyColumns, Map<String, ColumnValue> columns, String statement,
                        String processedKeysTable) {

    /** How a message becomes a row. */
    enum Mode { INSERT, UPSERT, STATEMENT }

    static JdbcSinkSettings from(Config block) {
        Map<String, ColumnValue> columns = new LinkedHashMap<>();
        Map<String, String> specs = JdbcSinkFactory.COLUMNS.get(block, v -> castMap(v));
        specs.forEach((column, spec) -> columns.put(column, ColumnValue.parse(spec)));
        return new JdbcSinkSettings(Mode.valueOf(block.getString("mode").toUpperCase(Locale.ROOT)), block.getString("table"),
                block.getStringList("key-columns"), Map.copyOf(columns), block.getString("statement"),
                block.getString("processed-keys-table"));
    }

    /** The columns in a stable order (by name), as the insert lists them. */
    List<String> columnNames() {
        return new ArrayList<>(new java.util.TreeSet<>(columns.keySet()));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> castMap(Object value) {
        return (Map<String, String>) value;
    }
}
