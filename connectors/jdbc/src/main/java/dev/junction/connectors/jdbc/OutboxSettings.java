package dev.junction.connectors.jdbc;

import com.typesafe.config.Config;
import dev.junction.connectors.api.KeyRule;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * One {@code outbox} source's settings, read once from its validated block (defaults applied). Immutable.
 *
 * @param keyColumn the column holding each row's key when the rule is {@code column:<name>}; null for a {@code json:} rule
 */
record OutboxSettings(String table, String idColumn, KeyRule keys, String keyColumn, String payload, Duration every, int batch,
                      After after, String processedColumn) {

    /** What becomes of a row once the inbox holds its message. */
    enum After { DELETE, MARK }

    static final String COLUMN = "column:";

    static OutboxSettings from(Config block) {
        String rule = block.getString("idempotency-key");
        String keyColumn = rule.startsWith(COLUMN) ? rule.substring(COLUMN.length()) : null;
        return new OutboxSettings(block.getString("table"), block.getString("id-column"), parseKey(rule), keyColumn,
                block.getString("payload"), block.getDuration("every"), block.getInt("batch"),
                After.valueOf(block.getString("after").toUpperCase(Locale.ROOT)), block.getString("processed-column"));
    }

    /** {@code column:<name>} is this source's native key (the row's own column); {@code json:<pointer>} reads the payload. */
    static KeyRule parseKey(String rule) {
        if (rule.startsWith(COLUMN)) {
            if (!Dialect.isName(rule.substring(COLUMN.length()), false)) {
                throw new IllegalArgumentException("column:<name> needs a column name (letters, digits and underscores)");
            }
            return new KeyRule.Native(rule);
        }
        if (!rule.startsWith("json:")) {
            throw new IllegalArgumentException("must be column:<column name> or json:<JSON pointer>");
        }
        return KeyRule.parse(rule, Set.of());
    }
}
