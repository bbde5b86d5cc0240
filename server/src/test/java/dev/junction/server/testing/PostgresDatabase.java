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

    @Override
    public void close() throws SQLException {
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }
}
