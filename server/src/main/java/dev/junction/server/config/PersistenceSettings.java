package dev.junction.server.config;

import java.time.Duration;

/**
 * The journal: {@code junction.persistence}.
 *
 * @param journal           {@code h2} (embedded, the default) or {@code postgres}
 * @param url               the JDBC URL
 * @param user              the database user
 * @param password          the database password
 * @param poolSize          connections in the pool shared by journal, snapshots and queries
 * @param connectionTimeout how long a caller waits for a connection before the write fails (keep it short: an outage must
 *                          turn into a fast 503, not requests held for minutes)
 * @param createSchema      create the tables at start when they are missing
 */
public record PersistenceSettings(
        String journal, String url, String user, String password, int poolSize, Duration connectionTimeout, boolean createSchema) {

    public boolean isPostgres() {
        return "postgres".equals(journal);
    }

    /** The URL the pool uses: for PostgreSQL, batched inserts are rewritten into multi-row INSERTs. */
    public String jdbcUrl() {
        if (isPostgres() && !url.contains("reWriteBatchedInserts")) {
            return url + (url.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
        }
        return url;
    }
}
