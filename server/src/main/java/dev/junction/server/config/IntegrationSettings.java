package dev.junction.server.config;

import java.util.List;

/**
 * One integration: {@code junction.integrations.<name>}.
 *
 * @param name     the integration's name
 * @param source   where its messages come from; null for Junction's own {@code junction-alerts}, fed by the alerts, and for
 *                 a channel's subscriber, fed by the channel's publishers
 * @param steps    what happens to each message, in order
 * @param targets  where each message is delivered; at least one
 * @param revision identifies this definition: a digest of the integration's block and of every schema and mapping file it
 *                 reads and of the lookup tables its JSLT names, so the same files give the same revision on every node
 *                 and after a restart
 * @param lookups  the version tag of each lookup table its JSLT names ({@code store-accounts@3f2a1b0c9d8e}): what a message
 *                 records as the tables that mapped it
 * @param mask     what its views and log lines show masked
 * @param ordering whether messages with one partition key are delivered in order, and where that key is found
 * @param channel  the channel it subscribes to ({@code source { channel = ... }}), its source then being null; else null
 */
public record IntegrationSettings(String name, SourceSettings source, List<StepSettings> steps, List<TargetSettings> targets,
                                  String revision, List<String> lookups, dev.junction.server.masking.Masking mask,
                                  OrderingSettings ordering, ChannelSettings.Subscription channel) {

    /** The current version tag of each map step, in order. */
    public List<String> mappingVersions() {
        return StepSettings.mappingTags(steps, java.util.Map.of());
    }
}
