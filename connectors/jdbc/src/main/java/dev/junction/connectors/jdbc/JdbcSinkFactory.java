package dev.junction.connectors.jdbc;

import com.typesafe.config.Config;
import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigProblem;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.SinkContext;
import dev.junction.connectors.api.SinkFactory;
import dev.junction.connectors.api.SinkInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The sink of a target on a {@code jdbc} system: writes each message as a row (insert, upsert, or a statement of the user's)
 * and records its idempotency key in a processed-keys table in the same transaction, so a second delivery of one key
 * changes nothing, even for a plain insert. Stateless; {@link #create} opens nothing.
 */
final class JdbcSinkFactory implements SinkFactory {
    private static final String NAME_CHECK = "must be a SQL name (letters, digits and underscores, not starting with a digit)";

    static final ConfigField MODE = ConfigField.oneOf("mode", "insert", "upsert", "statement").defaultValue("insert")
            .description("insert: one new row per message; upsert: insert, or update the row with the same key-columns "
                    + "(ON CONFLICT ... DO UPDATE on PostgreSQL, ON DUPLICATE KEY UPDATE on MariaDB); statement: run the "
                    + "statement given, with :name parameters taken from columns.");

    static final ConfigField TABLE = ConfigField.string("table").defaultValue("")
            .description("The table rows are written to (insert and upsert), optionally with its schema.")
            .example("orders")
            .check((String t) -> t.isEmpty() || Dialect.isName(t, true), NAME_CHECK + ", optionally schema.table");

    static final ConfigField KEY_COLUMNS = ConfigField.stringList("key-columns").defaultValue(List.of())
            .description("With upsert: the columns of the table's primary key or unique constraint that identify a row; each "
                    + "must be among columns.")
            .example("[order_id]")
            .check((List<String> cs) -> cs.stream().allMatch(c -> Dialect.isName(c, false)), NAME_CHECK);

    static final ConfigField COLUMNS = ConfigField.stringMap("columns").required()
            .description("Each column (or statement parameter) and where its value comes from: a JSON pointer into the "
                    + "delivered message (/order/total), or $key (the idempotency key), $message-id, $integration, $payload "
                    + "(the whole message as JSON). A value that is not there is NULL.")
            .example("{ order_id = \"/orderNumber\", total = \"/total\" }")
            .check((Map<String, String> m) -> !m.isEmpty(), "must name at least one column")
            .check((Map<String, String> m) -> m.keySet().stream().allMatch(c -> Dialect.isName(c, false)),
                    "each name " + NAME_CHECK)
            .check((Map<String, String> m) -> m.values().stream().allMatch(ColumnValue::isValid),
                    "each value must be a JSON pointer starting with '/' or one of $key, $message-id, $integration, $payload");

    static final ConfigField STATEMENT = ConfigField.string("statement").defaultValue("")
            .description("With mode = statement: the SQL to run for each message, with :name parameters from columns; it runs "
                    + "in the transaction that records the key.")
            .example("INSERT INTO audit (order_id, total) VALUES (:order_id, :total)");

    static final ConfigField PROCESSED_KEYS_TABLE = ConfigField.string("processed-keys-table").defaultValue("junction_processed_keys")
            .description("The table that records every key applied (integration, idempotency_key, message_id, processed_at), "
                    + "created if missing. Rows older than the inbox's dedup window may be deleted.")
            .check((String t) -> Dialect.isName(t, true), NAME_CHECK + ", optionally schema.table");

    static final ConfigSpec SPEC = ConfigSpec.of(
            "Writes each message as a row of a PostgreSQL or MariaDB table, recording its idempotency key in the same "
                    + "transaction: a message delivered again changes nothing.",
            MODE, TABLE, KEY_COLUMNS, COLUMNS, STATEMENT, PROCESSED_KEYS_TABLE);

    @Override
    public ConfigSpec spec() {
        return SPEC;
    }

    @Override
    public List<ConfigProblem> validate(Config systemConfig, Config settings, String settingsPath) {
        JdbcSinkSettings s = JdbcSinkSettings.from(settings);
        List<ConfigProblem> problems = new ArrayList<>();
        if (s.mode() != JdbcSinkSettings.Mode.STATEMENT && s.table().isEmpty()) {
            problems.add(ConfigProblem.missing(settings.origin(), settingsPath + ".table", "is required with mode = " + settings.getString("mode")));
        }
        if (s.mode() == JdbcSinkSettings.Mode.UPSERT) {
            if (s.keyColumns().isEmpty()) {
                problems.add(ConfigProblem.of(settings.getValue("key-columns"), settingsPath + ".key-columns",
                        "is required with mode = upsert: the columns that identify a row"));
            }
            for (String key : s.keyColumns()) {
                if (!s.columns().containsKey(key)) {
                    problems.add(ConfigProblem.of(settings.getValue("key-columns"), settingsPath + ".key-columns",
                            key + " is not among columns"));
                }
            }
        }
        if (s.mode() == JdbcSinkSettings.Mode.STATEMENT) {
            if (s.statement().isBlank()) {
                problems.add(ConfigProblem.missing(settings.origin(), settingsPath + ".statement", "is required with mode = statement"));
            }
            for (String parameter : NamedStatement.parse(s.statement()).parameters()) {
                if (!s.columns().containsKey(parameter)) {
                    problems.add(ConfigProblem.of(settings.getValue("statement"), settingsPath + ".statement",
                            "parameter :" + parameter + " is not among columns"));
                }
            }
        }
        return problems;
    }

    @Override
    public SinkInstance create(SinkContext context) {
        return new JdbcSink(JdbcSinkSettings.from(context.settings()), JdbcSystem.from(context.systemConfig()), context);
    }
}
