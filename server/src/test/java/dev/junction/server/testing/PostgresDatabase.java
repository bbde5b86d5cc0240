package dev.junction.server.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A fresh database on the local PostgreSQL (trust auth) for one test, dropped afterwards: no test depends on what an earlier
 * run left. Host and user can be changed with JUNCTION_TEST_PG_HOST / JUNCTION_TEST_PG_USER.
 */
public final class PostgresDatabase implements AutoCloseable {
    private static final String HOST = System.getenv().getOrDefault("JUNCTION_TEST_PG_HOST", "127.0.0.1:5432");
    public static final String USER = System.getenv().getOrDefault("JUNCTION_TEST_PG_USER", "postgres");
    private final String name;

    private PostgresDatabase(String name) {
        this.name = name;
    }

    public static PostgresDatabase create() throws SQLException {
        String name = "junction_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return new PostgresDatabase(name);
    }

    public String url() {
        return "jdbc:postgresql://" + HOST + "/" + name;
    }

    private static Connection admin() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + HOST + "/postgres", USER, "");
    }

    /** Makes the database refuse connections and cuts the open ones, as an outage would; {@code false} lets them in again. */
    public void refuseConnections(boolean refuse) throws SQLException {
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE " + name + " ALLOW_CONNECTIONS " + !refuse);
            if (refuse) {
                s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
            }
        }
    }

    /**
     * Makes the database read-only ({@code default_transaction_read_only}) or writable again, and cuts its open sessions: the
     * setting applies to sessions started after it, so the pool's reconnections see it while the server stays up.
     */
    public void readOnly(boolean readOnly) throws SQLException {
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE " + name + (readOnly ? " SET default_transaction_read_only = on" : " RESET default_transaction_read_only"));
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
        }
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }
}
