package dev.junction.server.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.server.testing.Await;
import dev.junction.server.testing.PostgresDatabase;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.ServerProcess;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * 20,000 outbox rows are inserted into a PostgreSQL (and then a MariaDB) database of the test's own by 8 writers in concurrent transactions of 25
 * rows, each holding its ids for a random few milliseconds (so rows commit out of id order), while the server (the jar, with
 * the jdbc plugin from its plugin folder) relays them to an HTTP target that counts effects per key and per Junction message id.
 * The server is killed with SIGKILL mid-way (rows handed to the inbox and not yet deleted, more inserted while it is down) and
 * started again. Every row reaches the target, none is lost, none has two effects, and the outbox ends empty.
 */
class OutboxCrashIT {
    private static final int ROWS = 20_000;
    private static final int WRITERS = 8;
    private static final int PER_TRANSACTION = 25;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS) // the server's log stays when it fails
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb"})
    void aKilledServerLosesNoRowOfTheOutboxAndAppliesNoneTwice(String kind) throws Exception {
        try (Database db = kind.equals("postgresql") ? Database.postgres() : Database.mariadb();
             RecordingTarget target = new RecordingTarget(32)) {
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.execute(db.outboxDdl);
            }
            run(db, target);
        }
    }

    /** A database of the test's own, dropped at the end. */
    private record Database(String url, String user, String outboxDdl, String insert, AutoCloseable drop) implements AutoCloseable {
        static Database postgres() throws Exception {
            PostgresDatabase db = PostgresDatabase.create();
            return new Database(db.url(), PostgresDatabase.USER,
                    "CREATE TABLE outbox (id BIGSERIAL PRIMARY KEY, event_id VARCHAR(100) NOT NULL, payload JSONB NOT NULL)",
                    "INSERT INTO outbox (event_id, payload) VALUES (?, ?::jsonb)", db);
        }

        static Database mariadb() throws Exception {
            String name = "junction_test_" + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            String server = "jdbc:mariadb://127.0.0.1:3306/";
            try (Connection c = DriverManager.getConnection(server, "root", ""); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name);
            }
            return new Database(server + name, "root",
                    "CREATE TABLE outbox (id BIGINT AUTO_INCREMENT PRIMARY KEY, event_id VARCHAR(100) NOT NULL, payload JSON NOT NULL)",
                    "INSERT INTO outbox (event_id, payload) VALUES (?, ?)", () -> {
                        try (Connection c = DriverManager.getConnection(server, "root", ""); Statement s = c.createStatement()) {
                            s.execute("DROP DATABASE IF EXISTS " + name);
                        }
                    });
        }

        Connection connect() throws Exception {
            return DriverManager.getConnection(url, user, "");
        }

        @Override
        public void close() throws Exception {
            drop.close();
        }
    }

    private void run(Database db, RecordingTarget target) throws Exception {
        List<String> keys = IntStream.range(0, ROWS).mapToObj(i -> "order-" + i).toList();
        Path config = TestConfig.write(dir, """
            junction {
              systems {
                orders-db { connector = jdbc, url = "%s", user = "%s" }
                erp {
                  connector = http
                  base-url = "%s"
                  resilience { max-in-flight = 32, retry { max-attempts = 50, min-backoff = 50ms, max-backoff = 1s } }
                }
              }
              integrations {
                orders-from-outbox {
                  source { system = orders-db, outbox { table = outbox, idempotency-key = "column:event_id", every = 200ms, batch = 500 } }
                  targets = [ { system = erp, http { path = "/erp/orders" } } ]
                }
              }
            }
            """.formatted(db.url(), db.user(), target.baseUrl()));
        Map<String, String> env = Map.of("JUNCTION_DATA_DIR", dir.resolve("data").toString(),
                "JUNCTION_PLUGINS_DIR", pluginDirectory().toString());
        int port = ServerProcess.freePort();
        Path log = dir.resolve("server.log");

        AtomicInteger inserted = new AtomicInteger();
        int appliedAtKill;
        int insertedAtKill;
        long leftAtKill;
        CompletableFuture<Void> inserting;
        try (ServerProcess first = ServerProcess.start(config, port, env, log)) {
            inserting = CompletableFuture.runAsync(() -> insertConcurrently(db, keys, inserted));
            CompletableFuture<Void> watched = inserting;
            Await.until(Duration.ofSeconds(120), () -> {
                if (watched.isCompletedExceptionally()) {
                    watched.join(); // throws why inserting failed
                }
                return inserted.get() >= ROWS * 4 / 10 && target.applied().size() >= 500;
            }, () -> inserted.get() + " inserted, " + target.applied().size() + " delivered; see " + log);
            first.kill();
            appliedAtKill = target.applied().size();
            insertedAtKill = inserted.get();
            leftAtKill = left(db);
        }
        assertTrue(appliedAtKill < ROWS && leftAtKill > 0, "killed mid-way: " + appliedAtKill + " applied, " + leftAtKill + " rows left");

        try (ServerProcess second = ServerProcess.start(config, port, env, log)) {
            inserting.join();
            Await.until(Duration.ofSeconds(180), () -> target.applied().size() == ROWS,
                    () -> (ROWS - target.applied().size()) + " rows never reached the target; see " + log);
            Await.until(Duration.ofSeconds(60), () -> left(db) == 0, () -> left(db) + " rows left in the outbox");
        }

        assertEquals(Set.copyOf(keys), target.applied(), "every row of the outbox reached the target: 0 lost");
        List<String> twice = keys.stream().filter(k -> target.messageIds(k).size() != 1).toList();
        assertEquals(List.of(), twice.stream().limit(10).toList(),
                twice.size() + " keys arrived under more than one message id: duplicate effects");
        long redelivered = keys.stream().filter(k -> target.successes(k) > 1).count();
        System.out.printf("outbox crash test (%s): killed with %d of %d rows inserted, %d applied, %d rows in the outbox; 0 lost,"
                + " 0 duplicate effects, %d keys delivered again after the restart (same message id: harmless)%n",
                db.url().startsWith("jdbc:mariadb") ? "mariadb" : "postgresql", insertedAtKill, ROWS, appliedAtKill, leftAtKill, redelivered);
    }

    static Path pluginDirectory() {
        Path dir = Path.of(System.getProperty("test.jdbc.plugin.dir", "../connectors/jdbc/target/plugin")).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("jdbc"))) {
            throw new IllegalStateException("the jdbc plugin is not built at " + dir + ": run the whole build (mvn verify), or "
                    + "mvn -pl connectors/jdbc -am package first");
        }
        return dir;
    }

    /**
     * {@link #WRITERS} writers, each inserting transactions of {@link #PER_TRANSACTION} rows that hold their ids 0-20 ms before
     * committing, so ids commit out of order; about 2,000 rows a second in all.
     */
    private static void insertConcurrently(Database db, List<String> keys, AtomicInteger inserted) {
        ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
        try {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                done.add(CompletableFuture.runAsync(() -> {
                    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(db.insert())) {
                        c.setAutoCommit(false);
                        for (int from = writer * PER_TRANSACTION; from < keys.size(); from += WRITERS * PER_TRANSACTION) {
                            long started = System.nanoTime();
                            List<String> batch = keys.subList(from, Math.min(keys.size(), from + PER_TRANSACTION));
                            for (String k : batch) {
                                s.setString(1, k);
                                s.setString(2, "{\"id\":\"" + k + "\",\"total\":52.0}");
                                s.executeUpdate();
                            }
                            Thread.sleep(ThreadLocalRandom.current().nextInt(20));
                            c.commit();
                            inserted.addAndGet(batch.size());
                            Thread.sleep(Math.max(0, 100 - (System.nanoTime() - started) / 1_000_000));
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException("inserting failed", e);
                    }
                }, writers));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join();
        } finally {
            writers.shutdown();
        }
    }

    private static long left(Database db) {
        try (Connection c = db.connect(); Statement s = c.createStatement(); var rs = s.executeQuery("SELECT COUNT(*) FROM outbox")) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
