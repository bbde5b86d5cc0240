package dev.junction.server.persistence;

import dev.junction.server.observability.Activity;
import dev.junction.server.observability.ActivityStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * {@code junction_activity}: counts per integration and bucket that every node adds to (one MERGE per bucket, standard SQL
 * in H2 2 and PostgreSQL 15), so the alerts of every node read the same figures, also after a restart.
 */
public final class ActivityTable implements ActivityStore {
    private static final String MERGE = """
            MERGE INTO junction_activity t
            USING (SELECT CAST(? AS VARCHAR(255)) AS integration, CAST(? AS BIGINT) AS bucket_start, CAST(? AS BIGINT) AS received,
                          CAST(? AS BIGINT) AS delivered, CAST(? AS BIGINT) AS dead_lettered, CAST(? AS BIGINT) AS last_delivered_at,
                          CAST(? AS BIGINT) AS filtered) s
            ON t.integration = s.integration AND t.bucket_start = s.bucket_start
            WHEN MATCHED THEN UPDATE SET received = t.received + s.received, delivered = t.delivered + s.delivered,
                 dead_lettered = t.dead_lettered + s.dead_lettered, filtered = t.filtered + s.filtered,
                 last_delivered_at = CASE WHEN s.last_delivered_at > t.last_delivered_at THEN s.last_delivered_at ELSE t.last_delivered_at END
            WHEN NOT MATCHED THEN INSERT (integration, bucket_start, received, delivered, dead_lettered, last_delivered_at, filtered)
                 VALUES (s.integration, s.bucket_start, s.received, s.delivered, s.dead_lettered, s.last_delivered_at, s.filtered)""";

    private final InboxTables tables;

    public ActivityTable(InboxTables tables) {
        this.tables = tables;
    }

    @Override
    public CompletionStage<Void> add(Map<Activity.Key, long[]> counts) {
        return tables.run(connection -> {
            connection.setAutoCommit(true);
            try (PreparedStatement merge = connection.prepareStatement(MERGE)) {
                for (Map.Entry<Activity.Key, long[]> e : counts.entrySet()) {
                    long[] c = e.getValue();
                    merge.setString(1, e.getKey().integration());
                    merge.setLong(2, e.getKey().bucketStart());
                    merge.setLong(3, c[Activity.RECEIVED]);
                    merge.setLong(4, c[Activity.DELIVERED]);
                    merge.setLong(5, c[Activity.DEAD_LETTERED]);
                    merge.setLong(6, c[Activity.LAST_DELIVERED]);
                    merge.setLong(7, c[Activity.FILTERED]);
                    merge.executeUpdate(); // one at a time: two nodes merging the same new bucket in one batch could deadlock
                }
            }
            return null;
        });
    }

    @Override
    public CompletionStage<Sums> sums(String integration, long from, long to) {
        return tables.run(connection -> {
            try (PreparedStatement q = connection.prepareStatement("SELECT COALESCE(SUM(received), 0), COALESCE(SUM(delivered), 0), "
                    + "COALESCE(SUM(dead_lettered), 0), COALESCE(SUM(filtered), 0) FROM junction_activity WHERE integration = ? AND bucket_start >= ? AND bucket_start < ?")) {
                q.setString(1, integration);
                q.setLong(2, from);
                q.setLong(3, to);
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    return new Sums(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
                }
            }
        });
    }

    @Override
    public CompletionStage<java.util.List<Bucket>> buckets(String integration, long from, long to) {
        return tables.run(connection -> {
            try (PreparedStatement q = connection.prepareStatement("SELECT bucket_start, received, delivered, dead_lettered, filtered "
                    + "FROM junction_activity WHERE integration = ? AND bucket_start >= ? AND bucket_start < ? ORDER BY bucket_start")) {
                q.setString(1, integration);
                q.setLong(2, from);
                q.setLong(3, to);
                java.util.List<Bucket> buckets = new java.util.ArrayList<>();
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        buckets.add(new Bucket(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
                    }
                }
                return buckets;
            }
        });
    }

    @Override
    public CompletionStage<long[]> lastDeliveredAndFirstBucket(String integration) {
        return tables.run(connection -> {
            try (PreparedStatement q = connection.prepareStatement(
                    "SELECT COALESCE(MAX(last_delivered_at), 0), COALESCE(MIN(bucket_start), -1) FROM junction_activity WHERE integration = ?")) {
                q.setString(1, integration);
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    return new long[] {rs.getLong(1), rs.getLong(2)};
                }
            }
        });
    }

    @Override
    public CompletionStage<Void> prune(long before) {
        return tables.run(connection -> {
            connection.setAutoCommit(true);
            try (PreparedStatement d = connection.prepareStatement("DELETE FROM junction_activity a WHERE a.bucket_start < ? AND "
                    + "a.bucket_start < (SELECT MAX(b.bucket_start) FROM junction_activity b WHERE b.integration = a.integration) AND "
                    + "a.last_delivered_at < (SELECT MAX(c.last_delivered_at) FROM junction_activity c WHERE c.integration = a.integration)")) {
                d.setLong(1, before);
                d.executeUpdate();
            }
            return null;
        });
    }
}
