package dev.junction.server.config;

import java.util.List;

/**
 * One integration: {@code junction.integrations.<name>}.
 *
 * @param name     the integration's name
 * @param source   where its messages come from; null for Junction's own {@code junction-alerts}, fed by the alerts
 * @param steps    what happens to each message, in order
 * @param targets  where each message is delivered; at least one
 * @param revision identifies this definition: a digest of the integration's block and of every schema and mapping file it
 *                 reads, so the same files give the same revision on every node and after a restart
 */
public record IntegrationSettings(String name, SourceSettings source, List<StepSettings> steps, List<TargetSettings> targets,
                                  String revision) {

    /** The current version tag of each map step, in order. */
    public List<String> mappingVersions() {
        return StepSettings.mappingTags(steps, java.util.Map.of());
    }
}
