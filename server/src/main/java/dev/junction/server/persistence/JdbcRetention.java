package dev.junction.server.persistence;

import dev.junction.server.inbox.JournalRetention;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.CompletionStage;

/**
 * {@link JournalRetention} on the journal's own tables (pekko-persistence-jdbc's layout, {@code cluster-config/ddl}): H2
 * quotes its lower-case names, PostgreSQL does not need to.
 */
public final class JdbcRetention implements JournalRetention {
    private final InboxTables tables;
    private final String journal;
    private final String snapshot;
    private final String pid;
    private final String seq;
    private final String written;

    public JdbcRetention(InboxTables tables) {
        this.tables = tables;
        String q = tables.isPostgres() ? "" : "\"";
        this.journal = q + "event_journal" + q;
        this.snapshot = q + "snapshot" + q;
        this.pid = q + "persistence_id" + q;
        this.seq = q + "sequence_number" + q;
        this.written = q + "write_timestamp" + q;
    }

    @Override
    public CompletionStage<Long> horizon(String persistenceId, long writtenBefore) {
        return tables.run(connection -> {
            long old = single(connection, "SELECT max(" + seq + ") FROM " + journal + " WHERE " + pid + " = ? AND " + written + " < ?",
                    persistenceId, writtenBefore);
            long snapshotted = single(connection, "SELECT max(" + seq + ") FROM " + snapshot + " WHERE " + pid + " = ?", persistenceId, null);
            long highest = single(connection, "SELECT max(" + seq + ") FROM " + journal + " WHERE " + pid + " = ?", persistenceId, null);
            return Math.max(0, Math.min(old, Math.min(snapshotted, highest - 1)));
        });
    }

    @Override
    public CompletionStage<Integer> deleteUpTo(String persistenceId, long sequenceNr) {
        return tables.run(connection -> {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + journal + " WHERE " + pid + " = ? AND " + seq + " <= ?")) {
                delete.setString(1, persistenceId);
                delete.setLong(2, sequenceNr);
                return delete.executeUpdate();
            }
        });
    }

    private static long single(java.sql.Connection connection, String sql, String persistenceId, Long time) throws java.sql.SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, persistenceId);
            if (time != null) {
                statement.setLong(2, time);
            }
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getLong(1) : 0; // max() of no rows is NULL: getLong gives 0
            }
        }
    }
}
