package dev.junction.connectors.jdbc;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The SQL of one outbox table: the check of its columns, the read of the oldest rows not yet relayed, and their clearing.
 * Names come from checked settings and are quoted by the {@link Dialect}; ids are bound parameters.
 *
 * <p>Why there is no cursor: concurrent transactions commit their rows out of id order (a transaction that took id 7 may
 * commit after the one that took id 8). A reader that remembered "relayed up to 8" would skip 7 for ever. Every read here
 * takes the lowest ids still in the table (or not yet marked), so a row that commits late is simply read by the next poll;
 * the table itself is the position, and no row leaves it before the inbox holds its message.
 */
final class OutboxTable {
    /** One row as read. */
    record Row(Object id, String key, byte[] payload) {}

    /** A setting the table does not satisfy, and why. */
    record Problem(String setting, String reason) {}

    private final OutboxSettings settings;
    private final Dialect dialect;
    private final int queryTimeoutSeconds;
    private final String select;

    OutboxTable(OutboxSettings settings, Dialect dialect, int queryTimeoutSeconds) {
        this.settings = settings;
        this.dialect = dialect;
        this.queryTimeoutSeconds = queryTimeoutSeconds;
        List<String> columns = new ArrayList<>(List.of(settings.idColumn(), settings.payload()));
        if (settings.keyColumn() != null) {
            columns.add(settings.keyColumn());
        }
        String where = settings.after() == OutboxSettings.After.MARK ? " WHERE " + dialect.quote(settings.processedColumn()) + " IS NULL" : "";
        select = "SELECT " + columns.stream().map(dialect::quote).collect(Collectors.joining(", ")) + " FROM "
                + dialect.quote(settings.table()) + where + " ORDER BY " + dialect.quote(settings.idColumn()) + " LIMIT ?";
    }

    /** Every setting that names a table or column the database does not have; empty when the table fits. */
    List<Problem> check(Connection connection) throws SQLException {
        List<String> present = new ArrayList<>();
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM " + dialect.quote(settings.table()) + " WHERE 1 = 0")) {
            ResultSetMetaData meta = rs.getMetaData();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                present.add(meta.getColumnName(i));
            }
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("42")) {
                return List.of(new Problem("table", "the database has no table " + settings.table() + " that this user can read ("
                        + Failures.reason(e) + ")"));
            }
            throw e;
        }
        List<Problem> problems = new ArrayList<>();
        need(present, settings.idColumn(), "id-column", problems);
        need(present, settings.payload(), "payload", problems);
        if (settings.keyColumn() != null) {
            need(present, settings.keyColumn(), "idempotency-key", problems);
        }
        if (settings.after() == OutboxSettings.After.MARK) {
            need(present, settings.processedColumn(), "processed-column", problems);
        }
        return problems;
    }

    private void need(List<String> present, String column, String setting, List<Problem> problems) {
        if (present.stream().noneMatch(p -> dialect.sameColumn(p, column))) {
            problems.add(new Problem(setting, "table " + settings.table() + " has no column " + column + " (its columns: "
                    + String.join(", ", present) + ")"));
        }
    }

    /** The oldest rows not yet relayed, lowest id first, at most {@code limit}. */
    List<Row> read(Connection connection, int limit) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement s = connection.prepareStatement(select)) {
            s.setQueryTimeout(queryTimeoutSeconds);
            s.setInt(1, limit);
            try (ResultSet rs = s.executeQuery()) {
                int payloadType = rs.getMetaData().getColumnType(2);
                boolean binary = payloadType == Types.BINARY || payloadType == Types.VARBINARY || payloadType == Types.LONGVARBINARY
                        || payloadType == Types.BLOB;
                while (rs.next()) {
                    byte[] payload;
                    if (binary) {
                        payload = rs.getBytes(2);
                    } else {
                        String text = rs.getString(2);
                        payload = text == null ? null : text.getBytes(StandardCharsets.UTF_8);
                    }
                    rows.add(new Row(rs.getObject(1), settings.keyColumn() != null ? rs.getString(3) : null,
                            payload == null ? new byte[0] : payload));
                }
            }
        }
        return rows;
    }

    /** Deletes (or marks as processed) the rows with {@code ids}, in one statement. */
    void clear(Connection connection, List<Object> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        String in = " WHERE " + dialect.quote(settings.idColumn()) + " IN (" + ids.stream().map(id -> "?").collect(Collectors.joining(", ")) + ")";
        String sql = settings.after() == OutboxSettings.After.DELETE ? "DELETE FROM " + dialect.quote(settings.table()) + in
                : "UPDATE " + dialect.quote(settings.table()) + " SET " + dialect.quote(settings.processedColumn()) + " = CURRENT_TIMESTAMP" + in;
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            s.setQueryTimeout(queryTimeoutSeconds);
            for (int i = 0; i < ids.size(); i++) {
                s.setObject(i + 1, ids.get(i));
            }
            s.executeUpdate();
        }
    }
}
