package dev.junction.connectors.jdbc;

import com.typesafe.config.Config;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * One {@code cdc} source's settings, read once from its validated block (defaults applied). Immutable.
 *
 * @param publication the publication the slot decodes; created for {@code tables} when it does not exist
 */
record CdcSettings(List<String> tables, String slot, String publication, int batch, Duration every, Duration heartbeat,
                   Duration commitEvery) {

    static CdcSettings from(Config block) {
        String slot = block.getString("slot");
        String publication = block.getString("publication");
        return new CdcSettings(List.copyOf(block.getStringList("tables")), slot, publication.isEmpty() ? slot : publication,
                block.getInt("batch"), block.getDuration("every"), block.getDuration("heartbeat"), block.getDuration("commit-every"));
    }

    /** Host, port and database of a {@code jdbc:postgresql://host[:port]/database[?...]} URL, for Debezium's settings. */
    record Address(String host, int port, String database) {
        static Address of(String jdbcUrl) {
            if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
                throw new IllegalArgumentException("change data capture reads PostgreSQL only: the URL must be jdbc:postgresql://");
            }
            URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
            String path = uri.getPath() == null ? "" : uri.getPath();
            String database = path.startsWith("/") ? path.substring(1) : path;
            if (uri.getHost() == null || database.isEmpty()) {
                throw new IllegalArgumentException("the URL must name one host and a database: jdbc:postgresql://host:5432/database");
            }
            return new Address(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), database);
        }
    }
}
