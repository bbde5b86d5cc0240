package dev.junction.server.persistence;

import dev.junction.server.inbox.DurableKeys;
import dev.junction.server.inbox.KeyIndex;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * {@link DurableKeys} in the {@code junction_inbox_keys} table of the journal database: a batched upsert per write, one
 * {@code IN} query per lookup of up to {@value #CHUNK} keys. The table's primary key is (partition, key), so a key accepted
 * again after the window replaces its row.
 */
public final class JdbcKeys implements DurableKeys {
    private static final int CHUNK = 500;
    private static final String COLUMNS = "idempotency_key, message_id, body_hash, accepted_at, sequence_number";
    private final InboxTables tables;
    private final String upsert;

    public JdbcKeys(InboxTables tables) {
        this.tables = tables;
        this.upsert = tables.isPostgres()
                ? "INSERT INTO junction_inbox_keys (persistence_id, " + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?) "
                        + "ON CONFLICT (persistence_id, idempotency_key) DO UPDATE SET message_id = EXCLUDED.message_id, "
                        + "body_hash = EXCLUDED.body_hash, accepted_at = EXCLUDED.accepted_at, sequence_number = EXCLUDED.sequence_number"
                : "MERGE INTO junction_inbox_keys (persistence_id, " + COLUMNS + ") KEY (persistence_id, idempotency_key) "
                        + "VALUES (?, ?, ?, ?, ?, ?)";
    }

    @Override
    public CompletionStage<Void> store(String persistenceId, List<KeyIndex.Entry> entries) {
        return tables.run(connection -> {
            connection.setAutoCommit(false);
            try (PreparedStatement statement = connection.prepareStatement(upsert)) {
                for (KeyIndex.Entry e : entries) {
                    statement.setString(1, persistenceId);
                    statement.setString(2, e.key());
                    statement.setString(3, e.messageId());
                    statement.setLong(4, e.bodyHash());
                    statement.setLong(5, e.acceptedAt());
                    statement.setLong(6, e.sequenceNr());
                    statement.addBatch();
                }
                statement.executeBatch();
                connection.commit();
            } catch (java.sql.SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
            return null;
        });
    }

    @Override
    public CompletionStage<Map<String, KeyIndex.Entry>> find(String persistenceId, Collection<String> keys) {
        List<String> all = List.copyOf(keys);
        return tables.run(connection -> {
            Map<String, KeyIndex.Entry> found = new HashMap<>();
            for (int from = 0; from < all.size(); from += CHUNK) {
                List<String> chunk = all.subList(from, Math.min(all.size(), from + CHUNK));
                String marks = String.join(", ", java.util.Collections.nCopies(chunk.size(), "?"));
                try (PreparedStatement statement = connection.prepareStatement("SELECT " + COLUMNS
                        + " FROM junction_inbox_keys WHERE persistence_id = ? AND idempotency_key IN (" + marks + ")")) {
                    statement.setString(1, persistenceId);
                    for (int i = 0; i < chunk.size(); i++) {
                        statement.setString(i + 2, chunk.get(i));
                    }
                    try (ResultSet rows = statement.executeQuery()) {
                        while (rows.next()) {
                            KeyIndex.Entry entry = entry(rows);
                            found.put(entry.key(), entry);
                        }
                    }
                }
            }
            return found;
        });
    }

    @Override
    public CompletionStage<Void> scan(String persistenceId, long acceptedFrom, java.util.function.ObjLongConsumer<String> each) {
        return tables.run(connection -> {
            connection.setAutoCommit(false); // PostgreSQL streams a result set with a fetch size only inside a transaction
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT idempotency_key, accepted_at FROM junction_inbox_keys WHERE persistence_id = ? AND accepted_at >= ?")) {
                statement.setFetchSize(10_000);
                statement.setString(1, persistenceId);
                statement.setLong(2, acceptedFrom);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        each.accept(rows.getString(1), rows.getLong(2));
                    }
                }
                connection.commit();
            } finally {
                connection.setAutoCommit(true);
            }
            return null;
        });
    }

    @Override
    public CompletionStage<Optional<Stored>> byMessageId(String messageId) {
        return tables.run(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT persistence_id, " + COLUMNS
                    + " FROM junction_inbox_keys WHERE message_id = ?")) {
                statement.setString(1, messageId);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? Optional.of(new Stored(rows.getString("persistence_id"), entry(rows))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public CompletionStage<Integer> expire(long acceptedBefore) {
        return tables.run(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("DELETE FROM junction_inbox_keys WHERE accepted_at < ?")) {
                statement.setLong(1, acceptedBefore);
                return statement.executeUpdate();
            }
        });
    }

    private static KeyIndex.Entry entry(ResultSet rows) throws java.sql.SQLException {
        return new KeyIndex.Entry(rows.getString("idempotency_key"), rows.getString("message_id"), rows.getLong("body_hash"),
                rows.getLong("accepted_at"), rows.getLong("sequence_number"));
    }
}
