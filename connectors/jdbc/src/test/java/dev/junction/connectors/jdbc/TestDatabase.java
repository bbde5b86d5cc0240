package dev.junction.connectors.jdbc;

import dev.junction.connectors.testkit.TcpProxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A database of the test's own on the local PostgreSQL (127.0.0.1:5432, postgres, trust) or MariaDB (127.0.0.1:3306, root
 * without a password), dropped at the end; the connector reaches it through a {@link TcpProxy}, so a test can cut its
 * connections or play the server being down.
 */
final class TestDatabase implements AutoCloseable {
    enum Kind { POSTGRESQL, MARIADB }

    final Kind kind;
    final String name;
    final TcpProxy network;

    private TestDatabase(Kind kind, String name) throws Exception {
        this.kind = kind;
        this.name = name;
        this.network = new TcpProxy(kind == Kind.POSTGRESQL ? 5432 : 3306);
    }

    static TestDatabase create(Kind kind) throws Exception {
        String name = "junction_jdbc_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = server(kind); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return new TestDatabase(kind, name);
    }

    private static Connection server(Kind kind) throws SQLException {
        return kind == Kind.POSTGRESQL ? DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")
                : DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", "root", "");
    }

    /** The URL the connector uses: through the proxy. */
    String url() {
        return (kind == Kind.POSTGRESQL ? "jdbc:postgresql://127.0.0.1:" : "jdbc:mariadb://127.0.0.1:") + network.port() + "/" + name;
    }

    String user() {
        return kind == Kind.POSTGRESQL ? "postgres" : "root";
    }

    /** A direct connection for the test itself. */
    Connection connect() throws SQLException {
        return kind == Kind.POSTGRESQL ? DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + name, "postgres", "")
                : DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/" + name, "root", "");
    }

    void execute(String... sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        }
    }

    long count(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** An outbox table: an increasing id, the key in event_id, the event in payload. */
    String outboxDdl(String table) {
        return kind == Kind.POSTGRESQL
                ? "CREATE TABLE " + table + " (id BIGSERIAL PRIMARY KEY, event_id VARCHAR(255), payload TEXT NOT NULL)"
                : "CREATE TABLE " + table + " (id BIGINT AUTO_INCREMENT PRIMARY KEY, event_id VARCHAR(255), payload LONGTEXT NOT NULL)";
    }

    @Override
    public void close() throws Exception {
        network.close();
        try (Connection c = server(kind); Statement s = c.createStatement()) {
            s.execute(kind == Kind.POSTGRESQL ? "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)" : "DROP DATABASE IF EXISTS " + name);
        }
    }
}
