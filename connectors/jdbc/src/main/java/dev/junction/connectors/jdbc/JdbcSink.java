package dev.junction.connectors.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.junction.connectors.api.ConnectorException;
import dev.junction.connectors.api.RetriableException;
import dev.junction.connectors.api.SinkContext;
import dev.junction.connectors.api.SinkInstance;
import dev.junction.connectors.api.SinkRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/**
 * Writes one row per attempt, in one transaction with the record of its key: first the key goes into the processed-keys
 * table (an insert that does nothing when the key is there, and that waits for a concurrent attempt with the same key to end);
 * if it was there, the attempt commits and succeeds without touching the table: the effect was applied before. Otherwise
 * the row is written and both commit together, or neither does. Failures are classified by {@link Failures}.
 *
 * <p>Threads: {@link #send} runs each attempt on the blocking executor, holding one pooled connection for its transaction;
 * the pool (opened on the first attempt) is closed by {@link #close}. The processed-keys table is created once, on the
 * first attempt (again after a failure).
 */
final class JdbcSink implements SinkInstance {
    private final JdbcSinkSettings settings;
    private final JdbcSystem system;
    private final SinkContext context;
    private final Dialect dialect;
    private final String effect;
    private final List<String> parameters;
    private HikariDataSource pool;
    private boolean tableReady;
    private boolean closed;

    JdbcSink(JdbcSinkSettings settings, JdbcSystem system, SinkContext context) {
        this.settings = settings;
        this.system = system;
        this.context = context;
        this.dialect = system.dialect();
        if (settings.mode() == JdbcSinkSettings.Mode.STATEMENT) {
            NamedStatement statement = NamedStatement.parse(settings.statement());
            effect = statement.sql();
            parameters = statement.parameters();
        } else {
            parameters = settings.columnNames();
            effect = dialect.insert(settings.table(), parameters, settings.keyColumns(), settings.mode() == JdbcSinkSettings.Mode.UPSERT);
        }
    }

    @Override
    public CompletionStage<Void> send(SinkRecord record) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            context.blockingExecutor().execute(() -> {
                try {
                    apply(record);
                    done.complete(null);
                } catch (ConnectorException e) {
                    done.completeExceptionally(e);
                } catch (RuntimeException e) {
                    done.completeExceptionally(new RetriableException("unexpected", String.valueOf(e.getMessage()), e));
                }
            });
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(new RetriableException("closed", "the node is shutting down", e));
        }
        return done;
    }

    private void apply(SinkRecord record) {
        HikariDataSource p = pool();
        try (Connection connection = p.getConnection()) {
            ensureProcessedKeys(connection);
            connection.setAutoCommit(false); // the pool resets it when the connection goes back
            try {
                if (claim(connection, record)) {
                    write(connection, record);
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection);
                throw e;
            }
        } catch (SQLException e) {
            throw Failures.classify(e, p);
        }
    }

    /** Records the key; false when it was recorded before (by an earlier attempt that committed). */
    private boolean claim(Connection connection, SinkRecord record) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(dialect.claimKey(settings.processedKeysTable()))) {
            s.setQueryTimeout(system.queryTimeoutSeconds());
            s.setString(1, record.integration());
            s.setString(2, record.idempotencyKey());
            s.setString(3, record.messageId());
            return s.executeUpdate() == 1;
        }
    }

    private void write(Connection connection, SinkRecord record) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(effect)) {
            s.setQueryTimeout(system.queryTimeoutSeconds());
            for (int i = 0; i < parameters.size(); i++) {
                settings.columns().get(parameters.get(i)).bind(s, i + 1, record, dialect);
            }
            s.executeUpdate();
        }
    }

    private void ensureProcessedKeys(Connection connection) throws SQLException {
        synchronized (this) {
            if (tableReady) {
                return;
            }
        }
        try (Statement s = connection.createStatement()) {
            s.execute(dialect.createProcessedKeys(settings.processedKeysTable()));
        } catch (SQLException e) {
            // two nodes creating it at once can collide on PostgreSQL's catalog: another attempt finds it there
            throw new RetriableException("setup", "cannot create the processed-keys table " + settings.processedKeysTable()
                    + ": " + Failures.reason(e), e);
        }
        synchronized (this) {
            tableReady = true;
        }
    }

    private synchronized HikariDataSource pool() {
        if (closed) {
            throw new RetriableException("closed", "the sink is closed", null);
        }
        if (pool == null) {
            pool = system.pool("junction-jdbc-" + context.integration() + "-" + context.system());
        }
        return pool;
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it and the transaction ends with it
        }
    }

    @Override
    public CompletionStage<Void> close() {
        return CompletableFuture.runAsync(() -> {
            HikariDataSource p;
            synchronized (this) {
                closed = true;
                p = pool;
            }
            if (p != null) {
                p.close();
            }
        }, context.blockingExecutor());
    }
}
