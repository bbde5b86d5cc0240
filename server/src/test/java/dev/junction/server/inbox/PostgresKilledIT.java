package dev.junction.server.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.server.testing.Effects;
import dev.junction.server.testing.PrivatePostgres;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault battery (#17): the journal's PostgreSQL is killed with SIGKILL to its postmaster under load and started again. A 202
 * promises the message is durable, so every key acknowledged before the kill must be in the journal after PostgreSQL's crash
 * recovery. The negative control runs the same with {@code synchronous_commit = off}: commits are acknowledged before their WAL
 * is written, and the same oracle must then report acknowledged keys missing. The database is a private PostgreSQL
 * ({@link PrivatePostgres}), never the shared one. {@code -Djunction.pgkill.seconds} sets the load before the kill (4 s here).
 */
class PostgresKilledIT {
    private static final String PATH = "/webhooks/webshop/orders";
    private static final int LOAD_SECONDS = Integer.getInteger("junction.pgkill.seconds", 4);
    private static final Pattern KEY = Pattern.compile("pgkill-[0-9]{6}");

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedMessageIsInTheJournalAfterPostgresIsKilled() throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.create(); RecordingTarget target = new RecordingTarget()) {
            Run run = killUnderLoad(pg, target, true);
            assertEquals(List.of(), run.missing(), "acknowledged but missing from the journal after PostgreSQL's crash recovery");
            assertEquals(List.of(), run.effects().lost(), "acknowledged but not delivered");
            assertEquals(List.of(), run.effects().duplicateEffects(), "delivered as two messages");
        }
    }

    /**
     * The negative control: with {@code synchronous_commit = off} a commit returns before its WAL reaches the disk, and the WAL
     * writer writes a partly filled WAL page only every {@code wal_writer_delay} (set to its maximum, 10 s, so that the window
     * the setting opens spans the kill rather than the default 200 ms). The background writer is kept from writing data pages
     * ({@code bgwriter_lru_maxpages = 0}): each page it writes flushes the WAL before it and would close that window. The
     * oracle above must see what is lost.
     */
    @Test
    void theOracleReportsTheLossWhenCommitsAreNotSynchronous() throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.create("synchronous_commit=off", "wal_writer_delay=10s",
                "bgwriter_lru_maxpages=0");
             RecordingTarget target = new RecordingTarget()) {
            Run run = killUnderLoad(pg, target, false);
            assertFalse(run.missing().isEmpty(), "with synchronous_commit = off the oracle saw no acknowledged key missing");
        }
    }

    /**
     * What a run left: the keys acknowledged (202) and not in the journal, and the target's verdict on those that are (none when
     * the run did not wait for their delivery: after a loss, the node's memory and its journal disagree).
     */
    private record Run(List<String> missing, Effects effects) {}

    private Run killUnderLoad(PrivatePostgres pg, RecordingTarget target, boolean awaitDelivery) throws Exception {
        pg.createDatabase("journal");
        Path config = TestConfig.write(dir, TestConfig.webhookToHttp(target.baseUrl(),
                "resilience.retry { max-attempts = 100, min-backoff = 50ms, max-backoff = 500ms }"));
        Map<String, String> env = Map.of("JUNCTION_DB_URL", pg.url("journal"), "JUNCTION_DB_USER", "postgres", "JUNCTION_PARTITIONS", "4");
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Map<Integer, Integer> answers = new ConcurrentHashMap<>();
        try (RunningServer server = RunningServer.start(config, dir.resolve("data"), env)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger next = new AtomicInteger();
            ExecutorService senders = Executors.newFixedThreadPool(8);
            for (int t = 0; t < 8; t++) {
                senders.execute(() -> {
                    while (!stop.get()) {
                        String key = "pgkill-%06d".formatted(next.getAndIncrement());
                        int status;
                        try {
                            status = server.post(PATH, key, TestConfig.order(key)).statusCode();
                        } catch (Exception e) {
                            status = -1;
                        }
                        answers.merge(status, 1, Integer::sum);
                        if (status == 202) {
                            acknowledged.add(key);
                        }
                    }
                });
            }
            Thread.sleep(LOAD_SECONDS * 1000L);
            int acknowledgedBeforeKill = acknowledged.size();
            pg.killPostmaster();
            long killed = System.currentTimeMillis();
            Thread.sleep(1000); // requests meet the dead database
            stop.set(true);
            senders.shutdown();
            assertTrue(senders.awaitTermination(30, TimeUnit.SECONDS), "the senders' last requests did not end");
            pg.start();
            long restarted = System.currentTimeMillis();

            Set<String> inJournal = keysInJournal(pg);
            List<String> missing = acknowledged.stream().filter(k -> !inJournal.contains(k)).sorted().toList();
            Set<String> delivered = new HashSet<>(acknowledged);
            delivered.removeAll(missing);
            if (awaitDelivery) {
                Effects.awaitDelivered(target, delivered, Duration.ofSeconds(90));
            }
            Effects effects = Effects.of(delivered, target);
            System.out.printf("postgres killed: %d acknowledged before the kill, %d in all; answers %s; PostgreSQL up again %.1f s after"
                    + " the kill; %d acknowledged keys missing from the journal%s; of those in it: %s%s%n",
                    acknowledgedBeforeKill, acknowledged.size(), new TreeMap<>(answers), (restarted - killed) / 1000.0, missing.size(),
                    missing.isEmpty() ? "" : " e.g. " + missing.stream().limit(3).toList(), effects,
                    awaitDelivery ? "" : " (delivery not awaited)");
            return new Run(missing, effects);
        }
    }

    /** The keys of every event in the journal: an {@code Accepted} event carries its envelope, key included. */
    private static Set<String> keysInJournal(PrivatePostgres pg) throws Exception {
        Set<String> keys = new HashSet<>();
        try (Connection c = DriverManager.getConnection(pg.url("journal"), "postgres", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT event_payload FROM event_journal")) {
            while (rs.next()) {
                Matcher m = KEY.matcher(new String(rs.getBytes(1), StandardCharsets.ISO_8859_1));
                while (m.find()) {
                    keys.add(m.group());
                }
            }
        }
        return keys;
    }
}
