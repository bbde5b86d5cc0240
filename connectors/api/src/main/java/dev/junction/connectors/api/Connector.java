package dev.junction.connectors.api;

import java.util.Map;
import java.util.Optional;

/**
 * A plugin that knows one kind of system ({@code http}, {@code file}, {@code amqp} ...) and provides its sources and sink.
 *
 * <p>Lifecycle: the server finds implementations with {@link java.util.ServiceLoader} when it starts, on its own class path
 * and in every plugin of its plugin directory (each plugin in a class loader of its own, listed in the plugin's
 * {@code META-INF/services/dev.junction.connectors.api.Connector}). It creates one instance per connector through the public
 * no-argument constructor and asks it for its specs while it validates the configuration. These methods are called on the
 * thread that loads the configuration, before any message flows, and again on a reload; they must not block or open
 * resources. Resources are opened by the {@link SourceInstance} and {@link SinkInstance} objects the factories create.
 *
 * <p>In configuration a system names its connector ({@code connector = http}); a source names one of {@link #sources()} as a
 * block ({@code webhook { ... }}); a target's settings sit in a block named after the connector ({@code http { ... }}).
 */
public interface Connector {

    /** The name systems use in {@code connector = <name>}: lower-case, kebab-case, unique among loaded connectors. */
    String name();

    /** The version the server logs at start; by default the jar manifest's {@code Implementation-Version}. */
    default String version() {
        String v = getClass().getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** The settings a system using this connector may declare next to {@code connector = <name>} (a base URL, a directory). */
    ConfigSpec systemSpec();

    /** Source kinds by the block name an integration's {@code source} uses for them; empty when the connector has none. */
    default Map<String, SourceFactory> sources() {
        return Map.of();
    }

    /** The sink used when a target names a system of this connector; empty when the connector cannot be a target. */
    default Optional<SinkFactory> sink() {
        return Optional.empty();
    }

    /** What reads a resource of such a system for an {@code enrich} step; empty when the connector cannot. */
    default Optional<LookupFactory> lookups() {
        return Optional.empty();
    }
}
