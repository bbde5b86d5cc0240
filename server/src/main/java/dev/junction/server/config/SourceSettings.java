package dev.junction.server.config;

import com.typesafe.config.Config;
import dev.junction.connectors.api.SourceFactory;

/**
 * An integration's source: {@code source { system = ..., <kind> { ... } }}.
 *
 * @param system   the system the source reads from
 * @param kind     the source kind, the block's name ({@code webhook}, {@code directory})
 * @param factory  the connector's factory for that kind
 * @param settings the kind's block, defaults applied
 */
public record SourceSettings(SystemSettings system, String kind, SourceFactory factory, Config settings) {}
