package dev.junction.server.system;

import dev.junction.connectors.api.SinkContext;
import dev.junction.connectors.api.SinkFactory;

/**
 * One target of one integration bound to its system: the {@link SystemActor} creates the sink from this when it starts.
 *
 * @param target  {@code <integration>/<target>}, the key calls name it by
 */
record SinkBinding(String target, SinkFactory factory, SinkContext context) {}
