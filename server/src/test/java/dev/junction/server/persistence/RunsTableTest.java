package dev.junction.server.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.junction.server.config.PersistenceSettings;
import dev.junction.server.runs.RunRecord;
import dev.junction.server.runs.RunStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs do not pile up and do not lie: retention removes the runs started before it and keeps the others; a run left
 * {@code running} by a stopped node is marked failed when its source starts again, while a run started after that, and the
 * runs of other integrations, are left as they are.
 */
class RunsTableTest {
    @TempDir
    Path dir;
    private ExecutorService blocking;
    private InboxTables tables;
    private RunsTable runs;

    @BeforeEach
    void open() throws Exception {
        PersistenceSettings db = new PersistenceSettings("h2", "jdbc:h2:file:" + dir.resolve("junction") + ";WRITE_DELAY=0", "", "",
                4, Duration.ofSeconds(2), true);
        JournalSchema.ensure(db);
        blocking = Executors.newFixedThreadPool(2);
        tables = new InboxTables(db, blocking);
        runs = new RunsTable(tables);
    }

    @AfterEach
    void close() {
        tables.close();
        blocking.shutdownNow();
    }

    @Test
    void retentionRemovesTheRunsStartedBeforeIt() throws Exception {
        Instant now = Instant.now();
        save(run("old", "orders", "succeeded", now.minus(Duration.ofDays(31))));
        save(run("older", "stock", "failed", now.minus(Duration.ofDays(90))));
        save(run("recent", "orders", "succeeded", now.minus(Duration.ofDays(29))));
        int removed = runs.prune(now.minus(Duration.ofDays(30))).toCompletableFuture().get();
        List<String> left = runs.list(null, null, 100).toCompletableFuture().get().stream().map(RunRecord::id).toList();
        System.out.println("RunsTableTest: pruned " + removed + ", left " + left);
        assertEquals(2, removed);
        assertEquals(List.of("recent"), left);
    }

    @Test
    void aRunLeftRunningByAStoppedNodeIsMarkedFailedWhenItsSourceStartsAgain() throws Exception {
        Instant restart = Instant.now();
        save(run("dead", "orders", "running", restart.minusSeconds(600)));
        save(run("done", "orders", "succeeded", restart.minusSeconds(1200)));
        save(run("other", "stock", "running", restart.minusSeconds(600)));
        save(run("new", "orders", "running", restart.plusMillis(5)));
        int marked = runs.abandon("orders", restart).toCompletableFuture().get();
        RunRecord dead = runs.get("dead").toCompletableFuture().get().orElseThrow();
        System.out.println("RunsTableTest: marked " + marked + "; dead is " + dead.status() + " (" + dead.error() + ")");
        assertEquals(1, marked);
        assertEquals("failed", dead.status());
        assertEquals(RunStore.NODE_STOPPED, dead.error());
        assertEquals(true, dead.finished() != null);
        assertEquals("succeeded", status("done"));
        assertEquals("running", status("other"), "another integration's source did not start again");
        assertEquals("running", status("new"), "the run the started source began is under way");
    }

    private String status(String id) throws Exception {
        return runs.get(id).toCompletableFuture().get().orElseThrow().status();
    }

    private void save(RunRecord run) throws Exception {
        runs.save(run).toCompletableFuture().get();
    }

    private static RunRecord run(String id, String integration, String status, Instant started) {
        return new RunRecord(id, integration, "poll", status, started.toString(), status.equals("running") ? null : started.plusSeconds(5).toString(),
                null, null, null, null, 1, 10, 10, 0, 0, 0, null);
    }
}
