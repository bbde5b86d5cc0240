package dev.junction.server.config;

import com.typesafe.config.Config;
import dev.junction.connectors.api.SinkFactory;

/**
 * One target of an integration: {@code { system = ..., <connector> { ... } }}.
 *
 * @param name     the target's name within its integration: its {@code name} setting, else the system's name
 * @param system   the system delivered to
 * @param factory  the system's connector's sink factory
 * @param settings the connector block, defaults applied
 * @param when     the target's routing predicate on the message after the steps; empty: every message goes to it
 */
public record TargetSettings(String name, SystemSettings system, SinkFactory factory, Config settings, java.util.Optional<Predicate> when) {}
