package dev.junction.connectors.file;

import com.typesafe.config.Config;
import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.KeyRule;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceFactory;
import dev.junction.connectors.api.SourceInstance;
import java.nio.file.FileSystems;
import java.time.Duration;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code directory} source: polls a folder below the system's root for JSON and JSON Lines files. Stateless;
 * {@link #create} only reads the settings, the source starts polling in {@link SourceInstance#start()}.
 */
final class DirectorySourceFactory implements SourceFactory {

    static final ConfigField PATH = ConfigField.string("path")
            .required()
            .description("Directory to poll, relative to the system's root. Finished files go to .done/ below it, bad ones to .failed/.")
            .example("inbox/orders")
            .check(SystemRoot::isInside, SystemRoot.NOT_INSIDE);

    static final ConfigField PATTERN = ConfigField.string("pattern")
            .defaultValue("*.json")
            .description("Glob of the file names to read; names ending in .jsonl or .ndjson hold one message per line.")
            .example("*.jsonl")
            .example("orders-*.{json,jsonl}")
            .check(DirectorySourceFactory::isGlob, "must be a valid glob such as *.json");

    static final ConfigField POLL_INTERVAL = ConfigField.duration("poll-interval")
            .defaultValue("1s")
            .description("Time between two listings of the directory; a file is read once it is unchanged across two.")
            .check((Duration d) -> !d.isNegative() && !d.isZero(), "must be longer than zero");

    static final ConfigField IDEMPOTENCY_KEY = KeyRule.field("idempotency-key", FileParser.FILE_NAME)
            .defaultValue(FileParser.FILE_NAME)
            .description("file-name: the file's name (name#line for JSON Lines; characters other than printable ASCII "
                    + "percent-encoded); json:<pointer>: a string or number inside each message; header:file-name is the "
                    + "file's name as it is.");

    static final ConfigField PARALLELISM = ConfigField.integer("parallelism")
            .defaultValue(4)
            .description("Messages handed to the inbox at once.")
            .check((Integer n) -> n > 0, "must be at least 1");

    static final ConfigSpec SPEC = ConfigSpec.of("Reads JSON files dropped into a directory, moving each away once accepted.",
            PATH, PATTERN, POLL_INTERVAL, IDEMPOTENCY_KEY, PARALLELISM);

    @Override
    public ConfigSpec spec() {
        return SPEC;
    }

    @Override
    public SourceInstance create(SourceContext context) {
        return new DirectorySource(DirectorySettings.from(context), context);
    }

    /** Two sources polling one directory would ingest each file twice and race to move it: the directory is this source's. */
    @Override
    public Set<String> claims(Config systemConfig, Config settings) {
        if (!settings.hasPath(PATH.name())) {
            return Set.of(); // already reported as missing
        }
        return Set.of("directory " + SystemRoot.lexical(systemConfig, PATH.get(settings, String.class::cast)));
    }

    private static boolean isGlob(String pattern) {
        try {
            FileSystems.getDefault().getPathMatcher("glob:" + pattern);
            return !pattern.isBlank() && !pattern.contains("/");
        } catch (PatternSyntaxException e) {
            return false;
        }
    }
}
