package dev.junction.server.persistence;

import dev.junction.server.runs.RunRecord;
import dev.junction.server.runs.RunStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * {@code junction_runs}: one row per run of a polling or batch source, shared by the cluster. A run's writes come one after
 * another from the node running it, so an update that finds no row can insert without racing another writer.
 */
public final class RunsTable implements RunStore {
    private static final String COLUMNS = "id, integration, source, status, started, finished, window_from, window_to, "
            + "watermark_before, watermark_after, pages, items_read, accepted, duplicate, invalid, failed, error";
    private static final String UPDATE = "UPDATE junction_runs SET integration = ?, source = ?, status = ?, started = ?, finished = ?, "
            + "window_from = ?, window_to = ?, watermark_before = ?, watermark_after = ?, pages = ?, items_read = ?, accepted = ?, "
            + "duplicate = ?, invalid = ?, failed = ?, error = ? WHERE id = ?";
    private static final String INSERT = "INSERT INTO junction_runs (integration, source, status, started, finished, window_from, "
            + "window_to, watermark_before, watermark_after, pages, items_read, accepted, duplicate, invalid, failed, error, id) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private final InboxTables tables;

    public RunsTable(InboxTables tables) {
        this.tables = tables;
    }

    @Override
    public CompletionStage<Void> save(RunRecord run) {
        return tables.run(connection -> {
            connection.setAutoCommit(true);
            try (PreparedStatement update = connection.prepareStatement(UPDATE)) {
                bind(update, run);
                if (update.executeUpdate() > 0) {
                    return null;
                }
            }
            try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                bind(insert, run);
                insert.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public CompletionStage<List<RunRecord>> list(String integration, String status, int limit) {
        return tables.run(connection -> {
            StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM junction_runs WHERE 1 = 1");
            List<String> args = new ArrayList<>();
            if (integration != null) {
                sql.append(" AND integration = ?");
                args.add(integration);
            }
            if (status != null) {
                sql.append(" AND status = ?");
                args.add(status);
            }
            sql.append(" ORDER BY started DESC, id DESC LIMIT ").append(limit);
            try (PreparedStatement q = connection.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    q.setString(i + 1, args.get(i));
                }
                List<RunRecord> runs = new ArrayList<>();
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        runs.add(read(rs));
                    }
                }
                return runs;
            }
        });
    }

    @Override
    public CompletionStage<Optional<RunRecord>> get(String id) {
        return tables.run(connection -> {
            try (PreparedStatement q = connection.prepareStatement("SELECT " + COLUMNS + " FROM junction_runs WHERE id = ?")) {
                q.setString(1, id);
                try (ResultSet rs = q.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public CompletionStage<Integer> abandon(String integration, java.time.Instant startedBefore) {
        return tables.run(connection -> {
            connection.setAutoCommit(true);
            try (PreparedStatement update = connection.prepareStatement("UPDATE junction_runs SET status = 'failed', finished = ?, "
                    + "error = ? WHERE integration = ? AND status = 'running' AND started < ?")) {
                update.setString(1, java.time.Instant.now().toString());
                update.setString(2, NODE_STOPPED);
                update.setString(3, integration);
                update.setString(4, startedBefore.toString());
                return update.executeUpdate();
            }
        });
    }

    @Override
    public CompletionStage<Integer> prune(java.time.Instant before) {
        return tables.run(connection -> {
            connection.setAutoCommit(true);
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM junction_runs WHERE started < ?")) {
                delete.setString(1, before.toString());
                return delete.executeUpdate();
            }
        });
    }

    /** Binds every column but the id, then the id (last in both statements). */
    private static void bind(PreparedStatement s, RunRecord r) throws SQLException {
        s.setString(1, r.integration());
        s.setString(2, r.source());
        s.setString(3, r.status());
        s.setString(4, r.started());
        s.setString(5, r.finished());
        s.setString(6, r.windowFrom());
        s.setString(7, r.windowTo());
        s.setString(8, r.watermarkBefore());
        s.setString(9, r.watermarkAfter());
        s.setLong(10, r.pages());
        s.setLong(11, r.read());
        s.setLong(12, r.accepted());
        s.setLong(13, r.duplicate());
        s.setLong(14, r.invalid());
        s.setLong(15, r.failed());
        s.setString(16, r.error());
        s.setString(17, r.id());
    }

    private static RunRecord read(ResultSet rs) throws SQLException {
        return new RunRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getLong(11), rs.getLong(12), rs.getLong(13),
                rs.getLong(14), rs.getLong(15), rs.getLong(16), rs.getString(17));
    }
}
