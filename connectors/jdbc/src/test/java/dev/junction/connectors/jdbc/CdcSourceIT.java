package dev.junction.connectors.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.junction.connectors.api.InboundMessage;
import dev.junction.connectors.api.PositionStore;
import dev.junction.connectors.api.RunRecorder;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceFactory;
import dev.junction.connectors.api.SourceInstance;
import dev.junction.connectors.api.SourceStatus;
import dev.junction.connectors.api.SystemCalls;
import dev.junction.connectors.testkit.MemoryPositions;
import dev.junction.connectors.testkit.TestIngestor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cdc source against the local PostgreSQL (wal_level = logical), a database, publication and slot of each test's own:
 * each change is one message with before/after, table, key and LSN; the slot's confirmed position does not move while the
 * inbox has not answered, and moves past the changes once it has; a new reader started from the committed position (after a
 * stop that abandoned a batch the inbox had not answered) loses nothing, and what it reads again is a duplicate.
 */
class CdcSourceIT {
    private final ExecutorService blocking = Executors.newCachedThreadPool();
    private TestDatabase db;
    private ReplicationSlot slot;

    @BeforeEach
    void database() throws Exception {
        db = TestDatabase.create(TestDatabase.Kind.POSTGRESQL);
        slot = new ReplicationSlot();
        db.execute("CREATE TABLE orders (id INT PRIMARY KEY, status TEXT NOT NULL, total NUMERIC(10,2))",
                "ALTER TABLE orders REPLICA IDENTITY FULL",
                "CREATE PUBLICATION " + slot.name + " FOR TABLE orders",
                "SELECT pg_create_logical_replication_slot('" + slot.name + "', 'pgoutput')");
    }

    @AfterEach
    void drop() throws Exception {
        try (ReplicationSlot s = slot; TestDatabase d = db) {
            blocking.shutdownNow();
        }
    }

    @Test
    void eachChangeIsOneMessageAndTheSlotMovesOnlyAfterTheInboxHoldsIt() throws Exception {
        TestIngestor inbox = new TestIngestor();
        MemoryPositions positions = new MemoryPositions();
        inbox.hold();
        long before = slot.confirmedFlush();
        SourceInstance source = start(inbox, positions);
        try {
            db.execute("INSERT INTO orders VALUES (1, 'new', 10.50), (2, 'new', 20.00)",
                    "UPDATE orders SET status = 'paid' WHERE id = 1",
                    "DELETE FROM orders WHERE id = 2");
            eventually("the first change of each row offered to the inbox", () -> inbox.offers() >= 1, inbox::offers);
            Thread.sleep(1500); // time enough for a source that confirms too early to do it
            assertEquals(before, slot.confirmedFlush(), "the slot's confirmed position while the inbox has not answered");
            assertTrue(positions.commits().stream().noneMatch(p -> p.contains("lsn_proc")),
                    "no position committed with a change before the inbox answered: " + positions.commits());

            inbox.release();
            eventually("four changes accepted", () -> inbox.accepted().size() == 4, () -> inbox.accepted().size());
            List<JsonNode> changes = inbox.accepted().stream().map(InboundMessage::json).toList();
            assertEquals(List.of("insert", "insert", "update", "delete"), changes.stream().map(c -> c.path("op").asText()).toList());
            JsonNode update = changes.get(2);
            assertEquals("public.orders", update.path("table").asText());
            assertEquals("public.orders/1", update.path("row").asText());
            assertEquals(1, update.path("key").path("id").asInt());
            assertEquals("new", update.path("before").path("status").asText());
            assertEquals("paid", update.path("after").path("status").asText());
            assertEquals("10.50", update.path("after").path("total").asText());
            assertTrue(changes.get(3).path("after").isNull(), "a delete has no after");
            assertEquals("public.orders/1@" + update.path("lsn").asText(), inbox.accepted().get(2).idempotencyKey());
            assertEquals("public.orders/1", inbox.accepted().get(2).headers().get("cdc-row"));

            long last = lsn(changes.get(3).path("lsn").asText());
            eventually("the slot confirmed past the last change once the inbox held it", () -> confirmed() >= last,
                    () -> confirmed() + " < " + last);
            assertTrue(positions.current().orElse("").contains("lsn"), "the position is in the store: " + positions.current());
        } finally {
            source.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aNewReaderGoesOnFromTheCommittedPositionLosingNothingAndAcceptingNothingTwice() throws Exception {
        TestIngestor inbox = new TestIngestor();
        MemoryPositions positions = new MemoryPositions();
        SourceInstance first = start(inbox, positions);
        for (int i = 0; i < 100; i++) {
            db.execute("INSERT INTO orders VALUES (" + i + ", 'new', " + i + ")");
        }
        eventually("the first 100 changes accepted", () -> inbox.accepted().size() == 100, () -> inbox.accepted().size());
        inbox.hold(); // the next changes reach the first reader, which is stopped before the inbox answers them
        db.execute("UPDATE orders SET status = 'paid' WHERE id < 50");
        eventually("the updates offered", () -> inbox.offers() > 100, inbox::offers);
        first.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
        db.execute("DELETE FROM orders WHERE id >= 90"); // while no reader runs
        inbox.release();

        SourceInstance second = start(inbox, positions);
        try {
            eventually("every change accepted", () -> inbox.accepted().size() == 160, () -> inbox.accepted().size());
            Thread.sleep(1000);
            assertEquals(160, inbox.accepted().size(), "100 inserts, 50 updates, 10 deletes, each once");
            assertEquals(160, inbox.acceptedKeys().size());
            assertEquals(List.of(), inbox.rejected(), "no change read again with other bytes (a conflict)");
            assertEquals(Set.of("insert", "update", "delete"), inbox.accepted().stream()
                    .map(m -> m.json().path("op").asText()).collect(Collectors.toSet()));
        } finally {
            second.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        eventually("every thread of the engine ended after stop", () -> engineThreads().isEmpty(), CdcSourceIT::engineThreads);
        assertEquals(-1, activePid(), "the slot is free for the next reader");
    }

    @Test
    void aSlotDroppedUnderTheSourceStopsItVisiblyAndANewSlotGoesOnFromItsOwnStart() throws Exception {
        TestIngestor inbox = new TestIngestor();
        MemoryPositions positions = new MemoryPositions();
        List<String> lost = new java.util.concurrent.CopyOnWriteArrayList<>();
        SourceStatus status = new SourceStatus() {
            @Override
            public void connected(String detail) {}

            @Override
            public void disconnected(String reason, Duration retryIn) {
                lost.add(reason);
            }
        };
        SourceInstance source = start(inbox, positions, status, slot.name);
        try {
            db.execute("INSERT INTO orders VALUES (1, 'new', 1)");
            eventually("the first change accepted", () -> inbox.accepted().size() == 1, () -> inbox.accepted().size());
            ReplicationSlot.drop(slot.name);
            db.execute("INSERT INTO orders VALUES (2, 'new', 2)"); // in no slot: lost to change data capture
            eventually("the lost slot reported in the source's status", () -> lost.stream().anyMatch(r -> r.contains("no longer holds the position")),
                    () -> lost);
            assertEquals(1, inbox.accepted().size(), "nothing captured while the slot is gone");
        } finally {
            source.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        try (ReplicationSlot next = new ReplicationSlot()) {
            SourceInstance again = start(inbox, positions, SourceStatus.ignored(), next.name);
            try {
                eventually("the new slot created", () -> flushOf(next) >= 0, () -> "none");
                db.execute("INSERT INTO orders VALUES (3, 'new', 3)");
                eventually("a change made after the new slot exists accepted", () -> inbox.accepted().size() == 2, () -> inbox.accepted().size());
                assertEquals("public.orders/3", inbox.accepted().get(1).json().path("row").asText());
            } finally {
                again.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }
        System.out.println("cdc slot dropped under the source: reported as " + lost.get(lost.size() - 1).lines().findFirst().orElse(""));
    }

    @Test
    void aTableWithoutAPrimaryKeyOrAMissingOneIsAConfigurationProblemAtItsPath() throws Exception {
        db.execute("CREATE TABLE audit_log (at TIMESTAMPTZ, line TEXT)");
        SourceFactory factory = new JdbcConnector().sources().get("cdc");
        Config system = new JdbcConnector().systemSpec().withDefaults(ConfigFactory.parseString("url = \"" + db.url() + "\", user = postgres"));
        Config block = factory.spec().withDefaults(ConfigFactory.parseString(
                "tables = [\"public.orders\", \"public.audit_log\", \"public.nothing\"], slot = " + slot.name));
        List<String> problems = factory.validate(system, block, "junction.integrations.x.source.cdc").stream()
                .map(p -> p.path() + ": " + p.reason()).toList();
        assertEquals(List.of(
                "junction.integrations.x.source.cdc.tables: public.audit_log: the table has no primary key (a change is keyed by it)",
                "junction.integrations.x.source.cdc.tables: public.nothing: no such table"), problems);
        Config maria = new JdbcConnector().systemSpec().withDefaults(ConfigFactory.parseString("url = \"jdbc:mariadb://127.0.0.1:3306/x\""));
        assertTrue(factory.validate(maria, block, "cdc").get(0).reason().contains("PostgreSQL only"));
    }

    private static List<String> engineThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("junction-cdc-") || n.startsWith("debezium-")).toList();
    }

    private long activePid() throws Exception {
        try (var c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
             var s = c.prepareStatement("SELECT active_pid FROM pg_replication_slots WHERE slot_name = ?")) {
            s.setString(1, slot.name);
            try (var rs = s.executeQuery()) {
                return rs.next() && rs.getObject(1) != null ? rs.getLong(1) : -1;
            }
        }
    }

    private SourceInstance start(TestIngestor inbox, PositionStore positions) {
        return start(inbox, positions, SourceStatus.ignored(), slot.name);
    }

    private SourceInstance start(TestIngestor inbox, PositionStore positions, SourceStatus status, String slotName) {
        SourceFactory factory = new JdbcConnector().sources().get("cdc");
        Config system = new JdbcConnector().systemSpec().withDefaults(ConfigFactory.parseString(
                "url = \"" + db.url() + "\", user = postgres"));
        Config block = factory.spec().withDefaults(ConfigFactory.parseString(
                "tables = [\"public.orders\"], slot = " + slotName + ", publication = " + slot.name + ", batch = 50, every = 20ms, heartbeat = 500ms"));
        assertEquals(List.of(), factory.spec().validate(ConfigFactory.parseString(
                "tables = [\"public.orders\"], slot = " + slot.name), "cdc", Set.of()));
        assertEquals(List.of(), factory.validate(system, block, "cdc"));
        SourceInstance source = factory.create(new SourceContext("cdc-test", "shop-db", system, block, Path.of("."), inbox, positions,
                status, SystemCalls.DIRECT, RunRecorder.NONE, null, blocking));
        source.start();
        return source;
    }

    private static long flushOf(ReplicationSlot s) {
        try {
            return s.confirmedFlush();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private long confirmed() {
        try {
            return slot.confirmedFlush();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long lsn(String text) {
        String[] parts = text.split("/");
        return (Long.parseLong(parts[0], 16) << 32) + Long.parseLong(parts[1], 16);
    }

    private static void eventually(String what, BooleanSupplier condition, Supplier<Object> state) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within 45 s; now " + state.get());
            }
            Thread.sleep(50);
        }
    }
}
