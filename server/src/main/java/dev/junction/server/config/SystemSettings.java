package dev.junction.server.config;

import com.typesafe.config.Config;
import dev.junction.connectors.api.Connector;

/**
 * One connected system: {@code junction.systems.<name>}.
 *
 * @param name       the system's name
 * @param connector  the connector that talks to it
 * @param config     its connector settings, defaults applied
 * @param resilience how deliveries to it are retried and bounded
 */
public record SystemSettings(String name, Connector connector, Config config, ResilienceSettings resilience) {}
