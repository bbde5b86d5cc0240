package dev.junction.connectors.jdbc;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A database's connection settings, read once from the system's validated block. Immutable. {@link #pool} opens a small
 * HikariCP pool over the driver's own {@link DataSource} (not {@code DriverManager}, which cannot see drivers in a plugin's
 * class loader); {@link #connectOnce} opens one connection for the checks made while the configuration loads.
 */
record JdbcSystem(String url, String user, String password, int poolSize, Duration connectionTimeout, Duration queryTimeout) {

    static JdbcSystem from(Config system) {
        return new JdbcSystem(system.getString("url"), system.getString("user"), system.getString("password"),
                system.getInt("pool-size"), system.getDuration("connection-timeout"), system.getDuration("query-timeout"));
    }

    Dialect dialect() {
        return Dialect.of(url);
    }

    /** The URL without its parameters (which may carry credentials), for logs and status. */
    String address() {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query);
    }

    /** Seconds for {@link java.sql.Statement#setQueryTimeout}; 0 is none. */
    int queryTimeoutSeconds() {
        return (int) Math.max(queryTimeout.isZero() ? 0 : 1, queryTimeout.toSeconds());
    }

    /** A pool named {@code name} (its threads carry the name); it opens connections as they are needed. */
    HikariDataSource pool(String name) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setDataSource(dataSource());
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(connectionTimeout.toMillis());
        config.setValidationTimeout(Math.max(250, connectionTimeout.toMillis() / 2));
        config.setInitializationFailTimeout(-1); // a database that is down at start is retried, not a failed start
        config.setAutoCommit(true);
        return new HikariDataSource(config);
    }

    /** One connection outside any pool, given up after the connection timeout. */
    Connection connectOnce() throws SQLException {
        return dataSource().getConnection();
    }

    private DataSource dataSource() {
        int seconds = (int) Math.max(1, connectionTimeout.toSeconds());
        try {
            if (dialect() == Dialect.POSTGRESQL) {
                PGSimpleDataSource pg = new PGSimpleDataSource();
                pg.setURL(url);
                if (!user.isEmpty()) {
                    pg.setUser(user);
                }
                pg.setPassword(password);
                pg.setConnectTimeout(seconds);
                pg.setLoginTimeout(seconds);
                pg.setApplicationName("junction");
                return pg;
            }
            MariaDbDataSource maria = new MariaDbDataSource(url);
            if (!user.isEmpty()) {
                maria.setUser(user);
            }
            maria.setPassword(password);
            maria.setLoginTimeout(seconds);
            return maria;
        } catch (SQLException e) {
            throw new IllegalArgumentException("the URL is not valid for its driver: " + e.getMessage(), e);
        }
    }
}
