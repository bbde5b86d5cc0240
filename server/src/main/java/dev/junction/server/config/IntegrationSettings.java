package dev.junction.server.config;

import java.util.List;

/**
 * One integration: {@code junction.integrations.<name>}.
 *
 * @param name    the integration's name
 * @param source  where its messages come from
 * @param steps   what happens to each message, in order
 * @param targets where each message is delivered; at least one
 */
public record IntegrationSettings(String name, SourceSettings source, List<StepSettings> steps, List<TargetSettings> targets) {}
