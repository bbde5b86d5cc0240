package dev.junction.connectors.file;

import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.Connector;
import dev.junction.connectors.api.SinkFactory;
import dev.junction.connectors.api.SourceFactory;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code file} connector: a system is a directory on the local disk ({@code root}); integrations read JSON files dropped
 * into a folder below it ({@code directory} source) and append delivered messages to a JSON Lines file below it (sink).
 *
 * <p>Lifecycle: found by {@link java.util.ServiceLoader}, created once, asked for its specs on the main thread while the
 * configuration is validated. It holds no state and opens nothing; the sink and source instances own their files.
 */
public final class FileConnector implements Connector {

    /** The system's base directory; every path of its sources and targets is resolved below it. */
    static final ConfigField ROOT = ConfigField.string("root")
            .defaultValue(".")
            .description("Base directory of this system's files; relative to the configuration file's directory.")
            .example("data/erp-drop")
            .example("/var/lib/junction/files");

    static final ConfigSpec SYSTEM_SPEC = ConfigSpec.of("A directory on the local file system.", ROOT);

    private final SinkFactory sink = new FileSinkFactory();
    private final SourceFactory directory = new DirectorySourceFactory();

    @Override
    public String name() {
        return "file";
    }

    @Override
    public ConfigSpec systemSpec() {
        return SYSTEM_SPEC;
    }

    @Override
    public Map<String, SourceFactory> sources() {
        return Map.of("directory", directory);
    }

    @Override
    public Optional<SinkFactory> sink() {
        return Optional.of(sink);
    }
}
