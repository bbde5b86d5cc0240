package dev.junction.connectors.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.junction.connectors.api.ConnectorException;
import dev.junction.connectors.api.PermanentException;
import dev.junction.connectors.api.RetriableException;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;

/**
 * Classifies a failed attempt by its SQLState class (the standard's, which PostgreSQL and MariaDB both report), never by its
 * message: integrity constraint violations ({@code 23}) and data exceptions ({@code 22}) are permanent, as are syntax and
 * access errors ({@code 42}, a table or column that is not there: a configuration mistake another attempt cannot fix), and
 * MariaDB's bad-value errors that it reports as {@code HY000};
 * connection failures ({@code 08}), deadlocks and serialization failures ({@code 40001}, {@code 40P01}, MariaDB 1213 and its
 * lock wait timeout 1205), a cancelled statement and a server shutting down or out of resources ({@code 57}, {@code 53}) are
 * retriable. A pool with every connection in use is back-pressure: throttled, so the breaker does not count it.
 */
final class Failures {
    /** How long calls to the system pause when a pool has no connection to spare. */
    static final Duration POOL_EXHAUSTED_PAUSE = Duration.ofMillis(500);

    /**
     * MariaDB's errors for a value a column cannot take, which it reports with the generic SQLState HY000 in strict mode:
     * 1366 incorrect value, 1265 data truncated, 1292 incorrect datetime, 1406 too long, 1264 out of range.
     */
    private static final java.util.Set<Integer> MARIADB_BAD_DATA = java.util.Set.of(1366, 1265, 1292, 1406, 1264);

    private Failures() {}

    static ConnectorException classify(SQLException e, HikariDataSource pool) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String reason = reason(e);
        if (e instanceof SQLTransientConnectionException && e.getCause() == null && isExhausted(pool)) {
            return RetriableException.throttled("pool-exhausted", "every one of the " + pool.getMaximumPoolSize()
                    + " connections is in use: " + reason, POOL_EXHAUSTED_PAUSE);
        }
        if (Dialect.isDeadlock(e)) {
            return new RetriableException("deadlock", "the database chose this transaction as a deadlock or serialization victim: " + reason, e);
        }
        if (state.startsWith("23")) {
            return new PermanentException("constraint-violation", "a constraint of the table refused the row (SQLState " + state + "): " + reason, e);
        }
        if (state.startsWith("22") || MARIADB_BAD_DATA.contains(e.getErrorCode())) {
            return new PermanentException("bad-data", "the database refused a value (SQLState " + state + "): " + reason, e);
        }
        if (state.startsWith("42")) {
            return new PermanentException("sql-error", "the statement is not valid for this database (SQLState " + state + "): " + reason, e);
        }
        if (state.startsWith("08") || e instanceof SQLTransientConnectionException || e.getCause() instanceof java.io.IOException) {
            return new RetriableException("connection", "cannot reach the database: " + reason, e);
        }
        if (e instanceof SQLTimeoutException || state.startsWith("57") || state.startsWith("53")) {
            return new RetriableException("timeout", "the database did not complete the statement: " + reason, e);
        }
        return new RetriableException("sql-" + (state.isEmpty() ? "unknown" : state), reason, e);
    }

    private static boolean isExhausted(HikariDataSource pool) {
        var bean = pool.getHikariPoolMXBean();
        return bean != null && bean.getActiveConnections() >= pool.getMaximumPoolSize();
    }

    /** The database's own message, and its cause's when the driver wraps one. */
    static String reason(SQLException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())) {
            message += " (" + cause.getMessage() + ")";
        }
        return message.lines().map(String::strip).reduce((a, b) -> a + " " + b).orElse(message);
    }
}
