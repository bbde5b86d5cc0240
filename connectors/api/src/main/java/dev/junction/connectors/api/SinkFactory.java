package dev.junction.connectors.api;

/**
 * Creates the sink of one integration target.
 *
 * <p>{@link #spec()} is called while the configuration is validated; {@link #create(SinkContext)} once per target, after the
 * whole configuration is valid, on the main thread. It must not block; open connections lazily or in the instance.
 */
public interface SinkFactory {

    /** The settings of the target's connector block, validated before {@link #create} is called. */
    ConfigSpec spec();

    /** Builds the sink for one target. */
    SinkInstance create(SinkContext context);

    /**
     * Checks that need the system's settings as well as this block's (a relative target path needs the system's base URL).
     * Called during validation after both blocks passed their specs; returns every problem found, located under
     * {@code settingsPath}. The default finds none.
     */
    default java.util.List<ConfigProblem> validate(com.typesafe.config.Config systemConfig, com.typesafe.config.Config settings, String settingsPath) {
        return java.util.List.of();
    }
}
