package dev.junction.connectors.jdbc;

import com.typesafe.config.Config;
import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigProblem;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.Placement;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceFactory;
import dev.junction.connectors.api.SourceInstance;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code outbox} source kind: relays a transactional outbox table, on one node of the cluster (a second reader would
 * only relay the same rows twice for the inbox to absorb). Stateless and shared; {@link #create} only builds the
 * {@link OutboxSource}.
 *
 * <p>{@link #validate} is the one check of this connector that reads the database: a table or column that is not there is
 * a configuration mistake, reported with its path like any other. A database that cannot be reached while the configuration
 * loads is not a mistake in it: the check is skipped then (logged), and the source reports the problem at run time.
 */
final class OutboxSourceFactory implements SourceFactory {
    private static final Logger log = LoggerFactory.getLogger(OutboxSourceFactory.class);
    private static final String NAME_CHECK = "must be a SQL name (letters, digits and underscores, not starting with a digit)";

    static final ConfigField TABLE = ConfigField.string("table").required()
            .description("The outbox table, optionally with its schema. The application inserts one row per event in the "
                    + "transaction that makes the change.")
            .example("outbox").example("public.outbox")
            .check((String t) -> Dialect.isName(t, true), NAME_CHECK + ", optionally schema.table");

    static final ConfigField ID_COLUMN = ConfigField.string("id-column").defaultValue("id")
            .description("The column rows are read in order of: an increasing number (a sequence, an auto-increment) or "
                    + "anything sortable. Gaps and late commits are fine: no cursor is kept.")
            .check((String c) -> Dialect.isName(c, false), NAME_CHECK);

    static final ConfigField IDEMPOTENCY_KEY = ConfigField.string("idempotency-key").required()
            .description("Where each row's idempotency key is found: column:<column> (a column of the row) or "
                    + "json:<JSON pointer> (a string or number in the payload). A row without a usable key becomes a dead "
                    + "letter with its raw payload, and is cleared.")
            .example("column:event_id").example("json:/eventId")
            .check((String r) -> r.startsWith(OutboxSettings.COLUMN) || r.startsWith("json:"), "must be column:<column name> or json:<JSON pointer>")
            .check((String r) -> !r.startsWith(OutboxSettings.COLUMN) || isValidKey(r), "column:<name> needs a column name (letters, digits and underscores)")
            .check((String r) -> !r.startsWith("json:") || isValidKey(r), dev.junction.connectors.api.KeyRule.POINTER_REASON);

    static final ConfigField PAYLOAD = ConfigField.string("payload").defaultValue("payload")
            .description("The column holding the event as JSON (json, jsonb, text, or bytes in UTF-8). A payload that is not "
                    + "JSON becomes a dead letter with its raw bytes, and its row is cleared.")
            .check((String c) -> Dialect.isName(c, false), NAME_CHECK);

    static final ConfigField EVERY = ConfigField.duration("every").defaultValue("1s")
            .description("How often the table is read when the last read found fewer rows than a batch; a full batch is "
                    + "followed by the next read at once.")
            .check((Duration d) -> d.toMillis() >= 10, "must be at least 10ms");

    static final ConfigField BATCH = ConfigField.integer("batch").defaultValue(500)
            .description("Rows read, handed to the inbox and cleared at once.")
            .check((Integer n) -> n >= 1 && n <= 10_000, "must be from 1 to 10000");

    static final ConfigField AFTER = ConfigField.oneOf("after", "delete", "mark").defaultValue("delete")
            .description("What becomes of a row once the inbox holds its message: delete it, or mark it by setting "
                    + "processed-column to the current time (rows with it set are not read again).");

    static final ConfigField PROCESSED_COLUMN = ConfigField.string("processed-column").defaultValue("processed_at")
            .description("With after = mark: the timestamp column set when a row is relayed; NULL means not yet relayed. "
                    + "An index on it (or a partial index WHERE it IS NULL) keeps reads fast.")
            .check((String c) -> Dialect.isName(c, false), NAME_CHECK);

    static final ConfigSpec SPEC = ConfigSpec.of(
            "Relays a transactional outbox table: reads the oldest rows not yet relayed in id order, hands each to the inbox, "
                    + "and deletes or marks a row only once the inbox holds its message. Runs on one node of the cluster.",
            TABLE, ID_COLUMN, IDEMPOTENCY_KEY, PAYLOAD, EVERY, BATCH, AFTER, PROCESSED_COLUMN);

    @Override
    public ConfigSpec spec() {
        return SPEC;
    }

    @Override
    public Placement placement(Config systemConfig, Config settings) {
        return Placement.ONE_NODE;
    }

    @Override
    public Set<String> claims(Config systemConfig, Config settings) {
        return Set.of("outbox table " + settings.getString("table") + " of " + JdbcSystem.from(systemConfig).address());
    }

    @Override
    public List<ConfigProblem> validate(Config systemConfig, Config settings, String settingsPath) {
        JdbcSystem system = JdbcSystem.from(systemConfig);
        OutboxTable table = new OutboxTable(OutboxSettings.from(settings), system.dialect(), system.queryTimeoutSeconds());
        List<OutboxTable.Problem> found;
        try (Connection connection = system.connectOnce()) {
            found = table.check(connection);
        } catch (SQLException | RuntimeException e) {
            log.warn("cannot check outbox table {} of {} now ({}); the source reports it when it runs", settings.getString("table"),
                    system.address(), e.getMessage());
            return List.of();
        }
        List<ConfigProblem> problems = new ArrayList<>();
        for (OutboxTable.Problem p : found) {
            problems.add(ConfigProblem.of(settings.getValue(p.setting()), settingsPath + "." + p.setting(), p.reason()));
        }
        return problems;
    }

    @Override
    public SourceInstance create(SourceContext context) {
        return new OutboxSource(OutboxSettings.from(context.settings()), JdbcSystem.from(context.systemConfig()), context);
    }

    private static boolean isValidKey(String rule) {
        try {
            OutboxSettings.parseKey(rule);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
