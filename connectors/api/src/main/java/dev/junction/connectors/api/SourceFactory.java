package dev.junction.connectors.api;

/**
 * Creates the source of one integration.
 *
 * <p>{@link #spec()}, {@link #validate}, {@link #claims} and {@link #placement} are called while the configuration is
 * validated (at start and on every reload), on the thread that loads it. {@link #create(SourceContext)} is called each time
 * the source is to run: at start, after a reload that changed its block, and (for {@link Placement#ONE_NODE} sources) on the
 * node it moves to. It must not block; the returned instance opens its resources in {@link SourceInstance#start()}.
 */
public interface SourceFactory {

    /** The settings of the source block, validated before {@link #create} is called. */
    ConfigSpec spec();

    /** Builds the source; {@code context} carries its validated settings and the ingest entry point. */
    SourceInstance create(SourceContext context);

    /**
     * Checks that need the system's settings as well as this block's (a relative target path needs the system's base URL).
     * Called during validation after both blocks passed their specs; returns every problem found, located under
     * {@code settingsPath}. The default finds none.
     */
    default java.util.List<ConfigProblem> validate(com.typesafe.config.Config systemConfig, com.typesafe.config.Config settings, String settingsPath) {
        return java.util.List.of();
    }

    /**
     * What this source takes for itself, as short strings ({@code "webhook path webshop/orders"}, {@code "directory /in"}): two
     * sources with the same claim are a configuration error. Called during validation with the spec-checked settings; the
     * default claims nothing.
     */
    default java.util.Set<String> claims(com.typesafe.config.Config systemConfig, com.typesafe.config.Config settings) {
        return java.util.Set.of();
    }

    /**
     * Where in a cluster this source runs, for these spec-checked settings. The default is {@link Placement#EVERY_NODE}; a
     * source that needs a single reader (a poll, a slot, a schedule) answers {@link Placement#ONE_NODE}.
     */
    default Placement placement(com.typesafe.config.Config systemConfig, com.typesafe.config.Config settings) {
        return Placement.EVERY_NODE;
    }

    /**
     * True when this source sets {@link InboundMessage#partitionKey} on every message (a CDC source: the row's primary key), so
     * an integration may ask for {@code ordering = per-key} without a {@code partition-key} rule. Called during validation
     * with the spec-checked settings; the default sets none.
     */
    default boolean setsPartitionKey(com.typesafe.config.Config systemConfig, com.typesafe.config.Config settings) {
        return false;
    }
}
