package dev.junction.connectors.file;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.junction.connectors.api.Ingestor;
import dev.junction.connectors.api.SinkContext;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceStatus;
import dev.junction.connectors.testkit.MemoryPositions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;

/** Builds the contexts the server would hand the connector, and waits for asynchronous outcomes. */
final class TestSupport {
    private TestSupport() {}

    /** A system rooted at {@code root} (given relative to {@code configDirectory} to exercise resolution). */
    static Config system(String root) {
        return ConfigFactory.parseString("connector = file\nroot = \"" + root + "\"");
    }

    static SinkContext sinkContext(Path configDirectory, String root, String settings, Executor blocking) {
        Config block = FileSinkFactory.SPEC.withDefaults(ConfigFactory.parseString(settings));
        return new SinkContext("orders", "archive", system(root), block, configDirectory, null, blocking);
    }

    static SourceContext sourceContext(Path configDirectory, String root, String settings, Ingestor ingestor,
                                       ActorSystem<?> actorSystem, Executor blocking) {
        Config block = DirectorySourceFactory.SPEC.withDefaults(ConfigFactory.parseString(settings));
        return new SourceContext("orders", "erp-drop", system(root), block, configDirectory, ingestor, new MemoryPositions(),
                SourceStatus.ignored(), dev.junction.connectors.api.SystemCalls.DIRECT,
                dev.junction.connectors.api.RunRecorder.NONE, actorSystem, blocking);
    }

    /** Retries {@code assertion} until it passes or {@code timeout} is over; then throws its last failure. */
    static void eventually(Duration timeout, Runnable assertion) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                assertion.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }
}
