package dev.junction.connectors.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.junction.connectors.api.Connector;
import dev.junction.connectors.api.PermanentException;
import dev.junction.connectors.api.RetriableException;
import dev.junction.connectors.api.SinkContext;
import dev.junction.connectors.api.SinkFactory;
import dev.junction.connectors.api.SinkInstance;
import dev.junction.connectors.api.SinkRecord;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceFactory;
import dev.junction.connectors.api.SourceInstance;
import dev.junction.connectors.api.SourceStatus;
import dev.junction.connectors.testkit.BadConfig;
import dev.junction.connectors.testkit.ConnectorContract;
import dev.junction.connectors.testkit.FailureCase;
import dev.junction.connectors.testkit.MemoryPositions;
import dev.junction.connectors.testkit.SinkFixture;
import dev.junction.connectors.testkit.SourceFixture;
import dev.junction.connectors.testkit.TestIngestor;
import dev.junction.connectors.testkit.TestMessage;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The connector test kit, and what only a database shows, on the jdbc connector against the PostgreSQL and the MariaDB of
 * this machine, each in a database of the test's own (dropped at the end), reached through a {@link dev.junction.connectors.testkit.TcpProxy}
 * that cuts connections and plays the server being down. Beyond the kit: rows committed out of id order by concurrent
 * transactions are relayed, none skipped; one message delivered three times is one row; a constraint violation is permanent
 * with the database's reason; a pool with no connection to spare is back-pressure (throttled); a missing column is a
 * configuration problem at its path.
 */
class JdbcConnectorContractIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Nested
    class PostgreSql extends DatabaseContract {
        PostgreSql() {
            super(TestDatabase.Kind.POSTGRESQL);
        }
    }

    @Nested
    class MariaDb extends DatabaseContract {
        MariaDb() {
            super(TestDatabase.Kind.MARIADB);
        }
    }

    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class DatabaseContract extends ConnectorContract {
        private final TestDatabase.Kind kind;
        private final AtomicInteger tables = new AtomicInteger();
        private TestDatabase db;
        private ActorSystem<Void> system;
        private ExecutorService blocking;

        DatabaseContract(TestDatabase.Kind kind) {
            this.kind = kind;
        }

        @BeforeAll
        void createDatabase() throws Exception {
            db = TestDatabase.create(kind);
            db.execute(db.outboxDdl("outbox_check"));
            system = ActorSystem.create(Behaviors.empty(), "jdbc-it", ConfigFactory.parseString(
                    "pekko.loglevel = WARNING\npekko.coordinated-shutdown.exit-jvm = off").withFallback(ConfigFactory.load()));
            blocking = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "testkit-jdbc");
                t.setDaemon(true);
                return t;
            });
        }

        @AfterAll
        void dropDatabase() throws Exception {
            db.close();
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            blocking.shutdownNow();
        }

        @Override
        protected Connector connector() {
            return new JdbcConnector();
        }

        @Override
        protected List<BadConfig> badConfigs() {
            return List.of(
                    BadConfig.system("url = \"jdbc:oracle:thin:@db:1521\"", "url", "must be a jdbc:postgresql:// or jdbc:mariadb://"),
                    BadConfig.system("user = u", "url", "is required"),
                    BadConfig.source("outbox", "table = \"outbox; drop table x\", idempotency-key = \"column:event_id\"", "table", "must be a SQL name"),
                    BadConfig.source("outbox", "table = outbox_check, idempotency-key = \"header:x\"", "idempotency-key", "must be column:<column name> or json:"),
                    BadConfig.source("outbox", "table = outbox_check, idempotency-key = \"column:event_id\", payload = body", "payload",
                            "table outbox_check has no column body"),
                    BadConfig.source("outbox", "table = no_such_table, idempotency-key = \"column:event_id\"", "table", "the database has no table no_such_table"),
                    BadConfig.source("outbox", "table = outbox_check, idempotency-key = \"column:event_id\", after = mark", "processed-column",
                            "has no column processed_at"),
                    BadConfig.target("table = orders", "columns", "is required"),
                    BadConfig.target("table = orders, mode = upsert, columns { id = \"/id\" }", "key-columns", "is required with mode = upsert"),
                    BadConfig.target("table = orders, columns { id = \"id\" }", "columns", "each value must be a JSON pointer"),
                    BadConfig.target("mode = statement, statement = \"INSERT INTO t VALUES (:a, :b)\", columns { a = \"/a\" }", "statement",
                            "parameter :b is not among columns"));
        }

        private String newTable(String prefix) {
            return prefix + "_" + tables.incrementAndGet();
        }

        private Config system(int poolSize) {
            return ConfigFactory.parseString("url = \"" + db.url() + "\", user = " + db.user() + ", pool-size = " + poolSize
                    + ", connection-timeout = 2s");
        }

        @Override
        protected SourceFixture sourceFixture() throws Exception {
            String table = newTable("outbox");
            db.execute(db.outboxDdl(table));
            return new Outbox(table);
        }

        @Override
        protected SinkFixture sinkFixture() throws Exception {
            String table = newTable("target");
            db.execute("CREATE TABLE " + table + " (id VARCHAR(100) NOT NULL, doc TEXT, event_key VARCHAR(255))");
            return new Target(table, newTable("keys"));
        }

        /** An outbox table the source relays; what is outstanding is the rows still in it. */
        private final class Outbox implements SourceFixture {
            private final String table;

            Outbox(String table) {
                this.table = table;
            }

            @Override
            public String kind() {
                return "outbox";
            }

            @Override
            public Config settings() {
                return ConfigFactory.parseString("table = " + table + ", idempotency-key = \"column:event_id\", every = 100ms, batch = 50");
            }

            @Override
            public Config system() {
                return DatabaseContract.this.system(2);
            }

            @Override
            public void publish(SourceInstance running, List<TestMessage> messages) throws Exception {
                insert(table, messages);
            }

            @Override
            public long outstanding() throws Exception {
                return db.count("SELECT COUNT(*) FROM " + table);
            }

            @Override
            public boolean dropConnection(SourceInstance running) {
                db.network.dropConnections();
                return true;
            }

            @Override
            public boolean publishUnusable(SourceInstance running) throws Exception {
                db.execute("INSERT INTO " + table + " (event_id, payload) VALUES ('not-json', '{\"id\": ')");
                return true;
            }

            @Override
            public List<String> ownThreads() {
                return List.of("tcp-proxy");
            }
        }

        private void insert(String table, List<TestMessage> messages) throws Exception {
            try (Connection c = db.connect();
                 PreparedStatement s = c.prepareStatement("INSERT INTO " + table + " (event_id, payload) VALUES (?, ?)")) {
                c.setAutoCommit(false);
                for (TestMessage m : messages) {
                    s.setString(1, m.key());
                    s.setString(2, m.json());
                    s.addBatch();
                }
                s.executeBatch();
                c.commit();
            }
        }

        /** A table written by the sink; the key's native place is the processed-keys table, joined to the row it wrote. */
        private final class Target implements SinkFixture {
            private final String table;
            private final String keys;

            Target(String table, String keys) {
                this.table = table;
                this.keys = keys;
            }

            @Override
            public Config settings() {
                return ConfigFactory.parseString("table = " + table + ", processed-keys-table = " + keys
                        + ", columns { id = \"/id\", doc = \"$payload\", event_key = \"$key\" }");
            }

            @Override
            public Config system() {
                return DatabaseContract.this.system(2);
            }

            @Override
            public List<Received> received() throws Exception {
                List<Received> received = new ArrayList<>();
                try (Connection c = db.connect(); Statement s = c.createStatement();
                     var rs = s.executeQuery("SELECT k.idempotency_key, t.doc FROM " + keys + " k JOIN " + table
                             + " t ON t.event_key = k.idempotency_key ORDER BY k.processed_at")) {
                    while (rs.next()) {
                        received.add(new Received(rs.getString(1), rs.getString(2)));
                    }
                }
                return received;
            }

            @Override
            public List<FailureCase> failures() {
                return List.of(
                        new FailureCase("a check constraint refuses the row", FailureCase.Expected.PERMANENT,
                                () -> db.execute("ALTER TABLE " + table + " ADD CONSTRAINT no_fail CHECK (id NOT LIKE 'fail-%')"),
                                () -> db.execute("ALTER TABLE " + table + " DROP CONSTRAINT no_fail")),
                        new FailureCase("the database is unreachable", FailureCase.Expected.RETRIABLE, db.network::pause, db.network::resume));
            }

            @Override
            public List<String> ownThreads() {
                return List.of("tcp-proxy");
            }
        }

        // ---- what only a database shows

        @Test
        void rowsCommittedOutOfIdOrderAreRelayedNoneSkipped() throws Exception {
            String table = newTable("outbox");
            db.execute(db.outboxDdl(table));
            TestIngestor inbox = new TestIngestor();
            SourceInstance source = startSource(table, inbox);
            try (Connection late = db.connect()) {
                // a transaction takes the lower id and commits after one that took a higher id was relayed
                late.setAutoCommit(false);
                try (PreparedStatement s = late.prepareStatement("INSERT INTO " + table + " (event_id, payload) VALUES ('late', '{\"id\":\"late\"}')")) {
                    s.executeUpdate();
                }
                insert(table, List.of(new TestMessage("early", "{\"id\":\"early\"}")));
                eventually("the row with the higher id relayed", () -> inbox.acceptedKeys().contains("early")
                        && db.count("SELECT COUNT(*) FROM " + table) == 0);
                late.commit();
                eventually("the row with the lower id, committed later, relayed too", () -> inbox.acceptedKeys().contains("late"));
                eventually("and cleared", () -> db.count("SELECT COUNT(*) FROM " + table) == 0);
            } finally {
                source.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }

            // many concurrent transactions, each holding its ids for a random while
            String busy = newTable("outbox");
            db.execute(db.outboxDdl(busy));
            TestIngestor second = new TestIngestor();
            SourceInstance relaying = startSource(busy, second);
            ExecutorService writers = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < 8; w++) {
                    int writer = w;
                    done.add(writers.submit(() -> {
                        for (int t = 0; t < 25; t++) {
                            int from = (writer * 25 + t) * 10;
                            List<TestMessage> rows = IntStream.range(from, from + 10).mapToObj(n -> TestMessage.numbered("busy", n)).toList();
                            try (Connection c = db.connect();
                                 PreparedStatement s = c.prepareStatement("INSERT INTO " + busy + " (event_id, payload) VALUES (?, ?)")) {
                                c.setAutoCommit(false);
                                for (TestMessage m : rows) {
                                    s.setString(1, m.key());
                                    s.setString(2, m.json());
                                    s.executeUpdate();
                                }
                                Thread.sleep(ThreadLocalRandom.current().nextInt(30)); // hold the ids while others commit
                                c.commit();
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
                Set<String> all = IntStream.range(0, 2000).mapToObj(n -> "busy-" + n).collect(Collectors.toSet());
                eventually("every row of 200 concurrent transactions relayed", () -> second.acceptedKeys().containsAll(all));
                eventually("and the table empty", () -> db.count("SELECT COUNT(*) FROM " + busy) == 0);
                assertEquals(2000, second.accepted().size(), "each key accepted once");
            } finally {
                writers.shutdownNow();
                relaying.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }

        @Test
        void aKeyInThePayloadAndMarkingInsteadOfDeleting() throws Exception {
            String table = newTable("outbox");
            db.execute(db.outboxDdl(table), "ALTER TABLE " + table + " ADD COLUMN relayed_at TIMESTAMP NULL");
            TestIngestor inbox = new TestIngestor();
            SourceInstance source = start(table, "idempotency-key = \"json:/id\", after = mark, processed-column = relayed_at", inbox);
            try {
                insert(table, List.of(TestMessage.numbered("marked", 1), TestMessage.numbered("marked", 2),
                        new TestMessage("", "{\"no\":\"id\"}")));
                eventually("both keyed rows accepted, the unkeyed one a dead letter", () -> inbox.acceptedKeys().size() == 2
                        && inbox.rejected().size() == 1);
                assertEquals(Set.of("marked-1", "marked-2"), inbox.acceptedKeys());
                assertEquals("invalid-key", inbox.rejected().get(0).errorClass());
                assertEquals("{\"no\":\"id\"}", new String(inbox.rejected().get(0).raw(), StandardCharsets.UTF_8));
                eventually("every row marked, none deleted", () -> db.count("SELECT COUNT(*) FROM " + table + " WHERE relayed_at IS NOT NULL") == 3);
                assertEquals(3, db.count("SELECT COUNT(*) FROM " + table));
            } finally {
                source.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }

        @Test
        void oneMessageDeliveredThreeTimesIsOneRow() throws Exception {
            String table = newTable("orders");
            db.execute("CREATE TABLE " + table + " (order_id VARCHAR(50) NOT NULL, total DECIMAL(10,2))");
            for (String mode : List.of("insert", "upsert")) {
                if (mode.equals("upsert")) {
                    db.execute("DELETE FROM " + table, "ALTER TABLE " + table + " ADD PRIMARY KEY (order_id)");
                }
                SinkInstance sink = sink("table = " + table + ", mode = " + mode + ", key-columns = [order_id], processed-keys-table = "
                        + newTable("keys") + ", columns { order_id = \"/orderNumber\", total = \"/total\" }", 2);
                try {
                    for (int attempt = 1; attempt <= 3; attempt++) { // a retry, a replay, a redelivery after a crash
                        send(sink, record("order-7", "{\"orderNumber\":\"A-7\",\"total\":52.5}", attempt));
                    }
                    assertEquals(1, db.count("SELECT COUNT(*) FROM " + table + " WHERE order_id = 'A-7'"), mode + ": one row");
                    assertEquals(52.5, ((Number) single("SELECT total FROM " + table)).doubleValue(), mode);
                } finally {
                    sink.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
                }
            }
        }

        @Test
        void aConstraintViolationIsPermanentWithTheDatabasesReason() throws Exception {
            String table = newTable("orders");
            db.execute("CREATE TABLE " + table + " (order_id VARCHAR(50) PRIMARY KEY, total DECIMAL(10,2) NOT NULL)");
            String keys = newTable("keys");
            SinkInstance sink = sink("table = " + table + ", processed-keys-table = " + keys
                    + ", columns { order_id = \"/orderNumber\", total = \"/total\" }", 2);
            try {
                send(sink, record("first", "{\"orderNumber\":\"A-1\",\"total\":1}", 1));
                Throwable duplicate = failure(sink, record("second", "{\"orderNumber\":\"A-1\",\"total\":2}", 1));
                PermanentException p = assertInstanceOf(PermanentException.class, duplicate);
                assertEquals("constraint-violation", p.errorClass());
                assertTrue(p.getMessage().contains("23") && p.getMessage().toLowerCase().contains("duplicate"), p.getMessage());
                Throwable missing = failure(sink, record("third", "{\"orderNumber\":\"A-3\"}", 1));
                assertEquals("constraint-violation", assertInstanceOf(PermanentException.class, missing).errorClass(), missing.getMessage());
                assertTrue(missing.getMessage().contains("total"), "the reason names the column: " + missing.getMessage());
                Throwable bad = failure(sink, record("fourth", "{\"orderNumber\":\"A-4\",\"total\":\"lots\"}", 1));
                assertInstanceOf(PermanentException.class, bad, String.valueOf(bad));
                assertEquals(1, db.count("SELECT COUNT(*) FROM " + keys), "a refused row leaves no key behind: only 'first'");
            } finally {
                sink.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }

        @Test
        void aPoolWithNoConnectionToSpareIsBackPressure() throws Exception {
            String table = newTable("orders");
            String keys = newTable("keys");
            db.execute("CREATE TABLE " + table + " (order_id VARCHAR(50) PRIMARY KEY)");
            SinkInstance sink = sink("table = " + table + ", processed-keys-table = " + keys + ", columns { order_id = \"/id\" }", 1);
            try (Connection blocker = db.connect()) {
                send(sink, record("warm-up", "{\"id\":\"warm-up\"}", 1)); // creates the keys table
                blocker.setAutoCommit(false);
                try (Statement s = blocker.createStatement()) { // holds the key the first attempt must write
                    s.executeUpdate("INSERT INTO " + keys + " (integration, idempotency_key, message_id) VALUES ('contract', 'held', 'm')");
                }
                var held = sink.send(record("held", "{\"id\":\"held\"}", 1)).toCompletableFuture(); // waits on the lock, holding the pool's one connection
                Thread.sleep(500);
                Throwable exhausted = failure(sink, record("waiting", "{\"id\":\"waiting\"}", 1));
                RetriableException r = assertInstanceOf(RetriableException.class, exhausted, String.valueOf(exhausted));
                assertTrue(r.isThrottled(), "back-pressure, not a failure of the database: " + r.getMessage());
                assertEquals("pool-exhausted", r.errorClass());
                blocker.rollback();
                held.get(30, TimeUnit.SECONDS);
            } finally {
                sink.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }

        // ---- helpers

        private SourceInstance startSource(String table, TestIngestor inbox) {
            return start(table, "idempotency-key = \"column:event_id\"", inbox);
        }

        private SourceInstance start(String table, String settings, TestIngestor inbox) {
            SourceFactory factory = connector().sources().get("outbox");
            Config block = factory.spec().withDefaults(ConfigFactory.parseString("table = " + table + ", every = 50ms, batch = 100, " + settings));
            SourceInstance source = factory.create(new SourceContext("contract", "db", connector().systemSpec().withDefaults(system(2)), block,
                    configDirectory, inbox, new MemoryPositions(), SourceStatus.ignored(),
                    dev.junction.connectors.api.SystemCalls.DIRECT, dev.junction.connectors.api.RunRecorder.NONE, system, blocking));
            source.start();
            return source;
        }

        private SinkInstance sink(String settings, int poolSize) {
            SinkFactory factory = connector().sink().orElseThrow();
            Config block = factory.spec().withDefaults(ConfigFactory.parseString(settings));
            assertEquals(List.of(), factory.spec().validate(ConfigFactory.parseString(settings), "t", Set.of()));
            return factory.create(new SinkContext("contract", "db", connector().systemSpec().withDefaults(system(poolSize)), block,
                    configDirectory, system, blocking));
        }

        private static SinkRecord record(String key, String json, int attempt) throws Exception {
            return new SinkRecord("msg-" + key, "contract", key, JSON.readTree(json), json.getBytes(StandardCharsets.UTF_8), Map.of(), attempt);
        }

        private static void send(SinkInstance sink, SinkRecord record) throws Exception {
            sink.send(record).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }

        private static Throwable failure(SinkInstance sink, SinkRecord record) throws Exception {
            try {
                send(sink, record);
            } catch (ExecutionException e) {
                return e.getCause();
            }
            throw new AssertionError(record.idempotencyKey() + " was written; it must fail");
        }

        private Object single(String sql) throws Exception {
            try (Connection c = db.connect(); Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getObject(1);
            }
        }
    }
}
