package dev.junction.connectors.file;

import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.SinkContext;
import dev.junction.connectors.api.SinkFactory;
import dev.junction.connectors.api.SinkInstance;
import java.nio.file.Path;

/**
 * The sink of a target whose system uses the {@code file} connector: appends each delivered message to a JSON Lines file.
 * Stateless; {@link #create} opens nothing (the sink opens its file on first use, off the calling thread).
 */
final class FileSinkFactory implements SinkFactory {

    static final ConfigField PATH = ConfigField.string("path")
            .required()
            .description("File to append to, relative to the system's root; parent directories are created.")
            .example("out/orders.jsonl")
            .check(SystemRoot::isInside, SystemRoot.NOT_INSIDE);

    static final ConfigField FSYNC = ConfigField.bool("fsync")
            .defaultValue(true)
            .description("Force each group of lines to disk before confirming them; false trades crash safety for speed.");

    static final ConfigSpec SPEC = ConfigSpec.of(
            "Appends each delivered message to a JSON Lines file, once per idempotency key.", PATH, FSYNC);

    @Override
    public ConfigSpec spec() {
        return SPEC;
    }

    @Override
    public SinkInstance create(SinkContext context) {
        Path file = SystemRoot.resolve(context.systemConfig(), context.configDirectory(), PATH.get(context.settings(), String.class::cast));
        boolean fsync = FSYNC.get(context.settings(), Boolean.class::cast);
        return new JsonlFileSink(file, fsync, context.blockingExecutor());
    }
}
