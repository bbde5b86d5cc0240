package dev.junction.server.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.server.plugins.ConnectorRegistry;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.LocalCluster;
import dev.junction.server.testing.PostgresDatabase;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import dev.junction.server.testing.TickerConnector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source that must have a single reader runs on one node of a two-node cluster, and when that node leaves, on the other,
 * from the position it committed to the journal: every tick arrives once (per key and per message id), and the log of who
 * read what never shows the two nodes reading at the same time.
 */
class SingleReaderIT {
    private static final int TICKS = 400;

    @TempDir
    Path dir;

    @Test
    void aSingleReaderRunsOnOneNodeAndResumesOnTheOtherFromItsPosition() throws Exception {
        Path log = dir.resolve("ticks.log");
        try (PostgresDatabase db = PostgresDatabase.create(); RecordingTarget target = new RecordingTarget()) {
            Path config = TestConfig.write(dir, """
                junction {
                  http.port = 0
                  inbox.partitions = 4
                  systems {
                    clock { connector = ticker, log = "%s" }
                    erp { connector = http, base-url = "%s" }
                  }
                  integrations {
                    ticks { source { system = clock, ticks { count = %d, every = 25ms } }, targets = [ { system = erp, http { path = "/t" } } ] }
                  }
                }
                pekko.cluster.min-nr-of-members = 2
                """.formatted(log, target.baseUrl(), TICKS));
            ConnectorRegistry connectors = ConnectorRegistry.load(getClass().getClassLoader()).with(new TickerConnector());
            int portA = LocalCluster.freePort();
            int portB = LocalCluster.freePort();
            RunningServer a = RunningServer.start(config, dir.resolve("a"), LocalCluster.nodeEnv(db, portA, portA), connectors);
            try (RunningServer b = RunningServer.start(config, dir.resolve("b"), LocalCluster.nodeEnv(db, portA, portB), connectors)) {
                Await.until(Duration.ofSeconds(60), () -> target.applied().size() >= TICKS / 4, () -> target.applied().size() + " ticks");
                String reader = readers(log).get(0);
                RunningServer leaving = reader.endsWith(":" + portA) ? a : b;
                leaving.close(); // leaves the cluster: sharding hands the reader over
                Await.until(Duration.ofSeconds(120), () -> target.applied().size() == TICKS,
                        () -> target.applied().size() + " of " + TICKS + " ticks; readers so far " + readers(log));
            } finally {
                a.close();
            }
            Set<String> keys = new LinkedHashSet<>(IntStream.rangeClosed(1, TICKS).mapToObj(n -> "tick-" + n).toList());
            assertEquals(keys, target.applied(), "every tick arrived");
            assertEquals(List.of(), keys.stream().filter(k -> target.messageIds(k).size() != 1).toList(), "no tick accepted twice");
            List<String> readers = readers(log);
            assertEquals(2, readers.size(), "one node read, then the other, never both at once: " + readers);
            System.out.printf("single reader: %s read first, then %s; %d ticks emitted for %d keys (repeats after the move are "
                    + "answered as duplicates)%n", readers.get(0), readers.get(1), Files.readAllLines(log).size(), TICKS);
        }
    }

    /** The nodes that read, in the order of the log, each run of lines by one node counted once. */
    private static List<String> readers(Path log) {
        List<String> runs = new ArrayList<>();
        try {
            for (String line : Files.exists(log) ? Files.readAllLines(log) : List.<String>of()) {
                String node = line.substring(0, line.lastIndexOf(' '));
                if (runs.isEmpty() || !runs.get(runs.size() - 1).equals(node)) {
                    runs.add(node);
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return runs;
    }
}
