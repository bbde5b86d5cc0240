package dev.junction.server.config;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.Map;

/**
 * The whole validated configuration, read once at start. Immutable.
 *
 * @param configFile   the file the user gave; relative paths in it resolve against its directory
 * @param http         the HTTP listener
 * @param admin        who may use the admin API
 * @param node         this node's cluster address and seeds
 * @param persistence  the journal
 * @param inbox        partitioning, deduplication and batching of accepted envelopes
 * @param systems      the connected systems by name
 * @param integrations the integrations by name
 * @param pekko        the full configuration the actor system is created with
 * @param alerts       the built-in alerts
 * @param lookups      the lookup tables by name
 * @param runRetention how long a run record is kept ({@code junction.runs.retention})
 * @param channels     the channels by name
 */
public record JunctionSettings(
        Path configFile,
        HttpSettings http,
        dev.junction.server.security.AdminSettings admin,
        NodeSettings node,
        PersistenceSettings persistence,
        InboxSettings inbox,
        Map<String, SystemSettings> systems,
        Map<String, IntegrationSettings> integrations,
        Config pekko,
        AlertSettings alerts,
        Map<String, dev.junction.server.lookup.LookupTable> lookups,
        java.time.Duration runRetention,
        Map<String, ChannelSettings> channels) {

    public Path configDirectory() {
        return configFile.toAbsolutePath().getParent();
    }
}
