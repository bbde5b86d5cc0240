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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code cdc} source kind: captures the inserts, updates and deletes of PostgreSQL tables through a logical replication
 * slot (pgoutput), with Debezium's embedded engine, on one node of the cluster (a slot has one reader). Stateless and shared.
 *
 * <p>{@link #validate} reads the database when it can: {@code wal_level} must be {@code logical}, and each table must exist
 * and have a primary key (the key of a change). A database that cannot be reached while the configuration loads is skipped
 * (logged); the source reports it at run time.
 */
final class CdcSourceFactory implements SourceFactory {
    private static final Logger log = LoggerFactory.getLogger(CdcSourceFactory.class);
    /** PostgreSQL's rule for slot names: lower-case letters, digits and underscores, at most 63. */
    private static final Pattern SLOT = Pattern.compile("[a-z0-9_]{1,63}");

    static final ConfigField TABLES = ConfigField.stringList("tables").required()
            .description("The tables whose changes are captured, each schema.table. Each needs a primary key. Updates carry "
                    + "the whole old row in before only with REPLICA IDENTITY FULL; otherwise before holds the key (deletes) or is null.")
            .example("[\"public.orders\"]")
            .check((List<String> t) -> !t.isEmpty(), "must name at least one table")
            .check((List<String> t) -> t.stream().allMatch(n -> n.contains(".") && Dialect.isName(n, true)),
                    "each must be schema.table (letters, digits and underscores)");

    static final ConfigField SLOT_NAME = ConfigField.string("slot").required()
            .description("The logical replication slot, created (pgoutput) on first start. Its confirmed position moves only "
                    + "after the inbox holds the changes before it. A slot no source reads keeps WAL for ever: drop it "
                    + "(SELECT pg_drop_replication_slot('<slot>')) when the source is removed.")
            .example("junction_orders")
            .check((String s) -> SLOT.matcher(s).matches(), "must be lower-case letters, digits and underscores, at most 63");

    static final ConfigField PUBLICATION = ConfigField.string("publication").defaultValue("")
            .description("The publication the slot decodes; empty: the slot's name. Created FOR TABLE <tables> when it does "
                    + "not exist (that needs ownership of the tables); an existing one is used as it is.")
            .check((String p) -> p.isEmpty() || Dialect.isName(p, false), "must be a SQL name (letters, digits and underscores)");

    static final ConfigField BATCH = ConfigField.integer("batch").defaultValue(2048)
            .description("Changes handed to the inbox at once, at most.")
            .check((Integer n) -> n >= 1 && n <= 20_000, "must be from 1 to 20000");

    static final ConfigField EVERY = ConfigField.duration("every").defaultValue("100ms")
            .description("How long the reader waits for more changes when there are none.")
            .check((Duration d) -> d.toMillis() >= 10, "must be at least 10ms");

    static final ConfigField HEARTBEAT = ConfigField.duration("heartbeat").defaultValue("10s")
            .description("How often the slot's position is confirmed while the tables do not change, so that the slot does "
                    + "not hold back WAL written for other tables; 0s: never.")
            .check((Duration d) -> d.isZero() || d.toMillis() >= 100, "must be 0s or at least 100ms");

    static final ConfigField COMMIT_EVERY = ConfigField.duration("commit-every").defaultValue("1s")
            .description("How often the position of the changes the inbox holds is written to the journal and confirmed to "
                    + "the slot, at most (at the end of a batch); 0s: after every batch. A reader that dies reads again what "
                    + "came after the last commit, and the inbox answers those changes as duplicates.")
            .check((Duration d) -> !d.isNegative() && d.toMinutes() < 10, "must be from 0s to 10m");

    static final ConfigSpec SPEC = ConfigSpec.of(
            "Captures inserts, updates and deletes of PostgreSQL tables through a logical replication slot (pgoutput), "
                    + "each as a message with before, after, table, key and LSN; the slot's position is confirmed only once "
                    + "the inbox holds the changes, and kept in Junction's journal. Needs wal_level = logical. One node reads.",
            TABLES, SLOT_NAME, PUBLICATION, BATCH, EVERY, HEARTBEAT, COMMIT_EVERY);

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
        JdbcSystem system = JdbcSystem.from(systemConfig);
        return Set.of("replication slot " + settings.getString("slot") + " of " + system.address());
    }

    @Override
    public List<ConfigProblem> validate(Config systemConfig, Config settings, String settingsPath) {
        JdbcSystem system = JdbcSystem.from(systemConfig);
        if (system.dialect() != Dialect.POSTGRESQL) {
            return List.of(ConfigProblem.of(settings.getValue("tables"), settingsPath,
                    "change data capture reads PostgreSQL only; the system's url is " + system.address()));
        }
        try {
            CdcSettings.Address.of(system.url());
        } catch (IllegalArgumentException e) {
            return List.of(ConfigProblem.of(settings.getValue("tables"), settingsPath, e.getMessage()));
        }
        List<ConfigProblem> problems = new ArrayList<>();
        try (Connection c = system.connectOnce()) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW wal_level")) {
                rs.next();
                if (!"logical".equals(rs.getString(1))) {
                    problems.add(ConfigProblem.of(settings.getValue("slot"), settingsPath + ".slot", "the database's wal_level is "
                            + rs.getString(1) + ": logical replication needs wal_level = logical (ALTER SYSTEM SET wal_level = "
                            + "logical, then restart PostgreSQL)"));
                }
            }
            for (String table : settings.getStringList("tables")) {
                String reason = checkTable(c, table);
                if (reason != null) {
                    problems.add(ConfigProblem.of(settings.getValue("tables"), settingsPath + ".tables", table + ": " + reason));
                }
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("cannot check the cdc source's tables of {} now ({}); the source reports it when it runs", system.address(),
                    e.getMessage());
            return List.of();
        }
        return problems;
    }

    /** Why {@code table} cannot be captured; null when it can. */
    private static String checkTable(Connection c, String table) throws SQLException {
        String[] parts = table.split("\\.");
        try (PreparedStatement s = c.prepareStatement("""
                SELECT count(*) FILTER (WHERE con.contype = 'p') FROM pg_class t
                JOIN pg_namespace n ON n.oid = t.relnamespace LEFT JOIN pg_constraint con ON con.conrelid = t.oid
                WHERE n.nspname = ? AND t.relname = ? GROUP BY t.oid""")) {
            s.setString(1, parts[0]);
            s.setString(2, parts[1]);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return "no such table";
                }
                return rs.getLong(1) == 0 ? "the table has no primary key (a change is keyed by it)" : null;
            }
        }
    }

    @Override
    public SourceInstance create(SourceContext context) {
        return new CdcSource(CdcSettings.from(context.settings()), JdbcSystem.from(context.systemConfig()), context);
    }
}
