package dev.junction.server.persistence;

import dev.junction.server.config.PersistenceSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the journal tables before the actor system starts, statement by statement with autocommit (PostgreSQL cannot run
 * some DDL inside a transaction, and one failing statement must not roll the others back). Every statement is idempotent.
 * Called once on the main thread; it blocks.
 */
public final class JournalSchema {
    private static final Logger log = LoggerFactory.getLogger(JournalSchema.class);
    /** Advisory lock key (per database) that serializes the DDL of nodes starting at once. */
    private static final long DDL_LOCK = 0x4A756E6374696F6EL; // "Junction"

    private JournalSchema() {}

    /** Connects, proving the database answers, and creates missing tables when {@code createSchema} is on. */
    public static void ensure(PersistenceSettings db) throws SQLException {
        if (!db.isPostgres()) {
            createH2Directory(db.url());
        }
        Properties props = new Properties();
        props.setProperty("user", db.user());
        props.setProperty("password", db.password());
        DriverManager.setLoginTimeout((int) Math.max(1, db.connectionTimeout().toSeconds()));
        try (Connection connection = DriverManager.getConnection(db.jdbcUrl(), props)) {
            connection.setAutoCommit(true);
            if (!db.createSchema()) {
                return;
            }
            if (db.isPostgres()) {
                // IF NOT EXISTS does not make concurrent DDL safe in PostgreSQL: two nodes creating the same index at once
                // collide on pg_class ("duplicate key value violates unique constraint"). Nodes starting together take turns.
                try (Statement statement = connection.createStatement()) {
                    statement.execute("SELECT pg_advisory_lock(" + DDL_LOCK + ")");
                }
            }
            for (String sql : statements(db.isPostgres() ? "postgres" : "h2")) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute(sql);
                }
            }
            // The session's advisory lock ends with the connection.
            log.info("journal schema ready on {}", redacted(db.url()));
        }
    }

    /** The statements of {@code ddl/<dialect>.sql}, comments removed. */
    static List<String> statements(String dialect) {
        String resource = "ddl/" + dialect + ".sql";
        try (InputStream in = JournalSchema.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("(?m)^--.*$", "");
            return Arrays.stream(text.split(";")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }

    private static void createH2Directory(String url) {
        String prefix = "jdbc:h2:file:";
        if (url.startsWith(prefix)) {
            Path file = Path.of(url.substring(prefix.length()).split(";")[0]);
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
            } catch (IOException e) {
                throw new IllegalStateException("cannot create the data directory " + file.getParent() + ": " + e.getMessage(), e);
            }
        }
    }

    /** The URL without credentials, for logs. */
    public static String redacted(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }
}
