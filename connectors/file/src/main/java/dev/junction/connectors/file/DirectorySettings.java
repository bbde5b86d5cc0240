package dev.junction.connectors.file;

import dev.junction.connectors.api.KeyRule;
import dev.junction.connectors.api.SourceContext;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The settings of one {@code directory} source, read once from its validated block. Immutable.
 *
 * @param directory    the absolute directory polled
 * @param pattern      the glob file names must match
 * @param pollInterval time between listings
 * @param keys         how each message gets its idempotency key
 * @param parallelism  messages in the inbox's hands at once
 */
record DirectorySettings(Path directory, String pattern, Duration pollInterval, KeyRule keys, int parallelism) {

    static DirectorySettings from(SourceContext context) {
        var block = context.settings();
        return new DirectorySettings(
                SystemRoot.resolve(context.systemConfig(), context.configDirectory(),
                        DirectorySourceFactory.PATH.get(block, String.class::cast)),
                DirectorySourceFactory.PATTERN.get(block, String.class::cast),
                DirectorySourceFactory.POLL_INTERVAL.get(block, Duration.class::cast),
                KeyRule.parse(DirectorySourceFactory.IDEMPOTENCY_KEY.get(block, String.class::cast), java.util.Set.of(FileParser.FILE_NAME)),
                DirectorySourceFactory.PARALLELISM.get(block, Integer.class::cast));
    }

    /** Where files go once every message in them is durable. */
    Path doneDirectory() {
        return directory.resolve(".done");
    }

    /** Where files that cannot be read as JSON go, each with a {@code <name>.error.txt} beside it. */
    Path failedDirectory() {
        return directory.resolve(".failed");
    }
}
