package dev.junction.server.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.junction.server.config.PersistenceSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The connection pool of Junction's own tables beside the journal ({@code junction_inbox_keys}): small, with the journal's
 * short connection timeout, and every statement run on the blocking executor. Closed with the node.
 */
public final class InboxTables implements AutoCloseable {
    private final HikariDataSource pool;
    private final Executor blocking;
    private final boolean postgres;

    public InboxTables(PersistenceSettings db, Executor blocking) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.jdbcUrl());
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(Math.max(250, db.connectionTimeout().toMillis()));
        config.setPoolName("junction-inbox-tables");
        config.setInitializationFailTimeout(-1); // a database that is away at start is retried by each statement, not fatal
        this.pool = new HikariDataSource(config);
        this.blocking = blocking;
        this.postgres = db.isPostgres();
    }

    boolean isPostgres() {
        return postgres;
    }

    /** Work on a pooled connection, on the blocking executor; the connection is committed by the work itself if it needs to. */
    <T> CompletionStage<T> run(Work<T> work) {
        return CompletableFuture.supplyAsync(() -> {
            try (Connection connection = pool.getConnection()) {
                return work.apply(connection);
            } catch (SQLException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, blocking);
    }

    @FunctionalInterface
    interface Work<T> {
        T apply(Connection connection) throws SQLException;
    }

    @Override
    public void close() {
        pool.close();
    }
}
