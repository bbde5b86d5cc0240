package dev.junction.connectors.jdbc;

import dev.junction.connectors.api.Intake;
import dev.junction.connectors.api.KeyRule;
import dev.junction.connectors.api.PositionStore;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceInstance;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import io.debezium.engine.spi.OffsetCommitPolicy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures changes from a PostgreSQL replication slot with Debezium's embedded engine (pgoutput), on a thread of its own.
 * Each batch of change events is handed to the inbox (in rounds: the oldest change not yet held of every row, all at once);
 * the batch is marked processed for Debezium only when the inbox answered every change durable (accepted, a duplicate, or
 * recorded as a dead letter), and a change the inbox refused for now is offered again after the refusal's back-off, the
 * batch held until then.
 * The engine then commits the processed offsets through {@link JournalOffsetStore} into the journal, and only after the
 * journal confirmed them does the PostgreSQL connector confirm the slot's flush position. So the slot never moves past a
 * change Junction does not hold, and a restart (here or on another node) reads again from the committed position: what was
 * read again is answered as a duplicate, by the same key (row and LSN).
 *
 * <p>When the engine stops on an error (the database down, the slot in use by a reader that has not yet gone), it is started
 * again after a growing back-off (up to 30 s). {@link #stop()} closes the engine (a batch waiting for the inbox is abandoned,
 * not marked: it is read again by the next reader) and waits up to {@value #STOP_SECONDS} s for its thread.
 */
final class CdcSource implements SourceInstance {
    private static final Logger log = LoggerFactory.getLogger(CdcSource.class);
    private static final int STOP_SECONDS = 15;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final String NATIVE_KEY = "row-lsn";
    private static final String HEARTBEAT_TOPIC = "__debezium-heartbeat";

    private final CdcSettings settings;
    private final JdbcSystem system;
    private final SourceContext context;
    private final Intake intake;
    private final String detail;
    private final PositionStore positions;
    private final Thread thread;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile DebeziumEngine<ChangeEvent<String, String>> engine;
    private CompletableFuture<Void> stopped;

    CdcSource(CdcSettings settings, JdbcSystem system, SourceContext context) {
        this.settings = settings;
        this.system = system;
        this.context = context;
        this.intake = new Intake(context.ingestor(), new KeyRule.Native(NATIVE_KEY));
        this.detail = "replication slot " + settings.slot() + " of " + system.address();
        this.positions = new SlotPositions(context.positions(), settings.slot());
        this.thread = new Thread(this::runEngines, "junction-cdc-" + context.integration());
        this.thread.setDaemon(true);
        this.thread.setContextClassLoader(CdcSource.class.getClassLoader()); // Debezium finds its classes through it
    }

    @Override
    public void start() {
        thread.start();
    }

    /** Runs the engine until {@link #stop}; an engine that ends on an error is started again after a back-off. */
    private void runEngines() {
        Duration backoff = Duration.ZERO;
        try {
            while (!stopping) {
                String registration = "junction-cdc-" + context.integration() + "-" + UUID.randomUUID();
                JournalOffsetStore.register(registration, positions);
                CompletableFuture<String> ended = new CompletableFuture<>();
                try {
                    seedPosition();
                    engine = DebeziumEngine.create(Json.class)
                            .using(CdcSource.class.getClassLoader())
                            .using(properties(registration))
                            .using(settings.commitEvery().isZero() ? OffsetCommitPolicy.always()
                                    : OffsetCommitPolicy.periodic(properties(registration)))
                            .using((success, message, error) -> ended.complete(success ? null : explain(message, error)))
                            .using(new DebeziumEngine.ConnectorCallback() {
                                @Override
                                public void taskStarted() {
                                    log.info("{}: reading {}", context.integration(), detail);
                                    context.status().connected(detail);
                                }
                            })
                            .notifying(this::handleBatch)
                            .build();
                    if (!stopping) {
                        engine.run();
                    }
                } catch (Exception e) {
                    ended.complete(explain(null, e));
                } finally {
                    JournalOffsetStore.unregister(registration);
                }
                String error = ended.getNow("the engine ended");
                if (stopping) {
                    break;
                }
                backoff = backoff.isZero() ? Duration.ofSeconds(1) : backoff.multipliedBy(2);
                backoff = backoff.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff;
                log.warn("{}: change data capture from {} stopped: {}; starting again in {} ms", context.integration(), detail,
                        error == null ? "the engine ended" : error, backoff.toMillis());
                context.status().disconnected(error == null ? "the engine ended" : error, backoff);
                sleep(backoff);
            }
        } finally {
            finished.countDown();
        }
    }

    /**
     * Hands one batch to the inbox and marks it processed once the inbox holds every change; on Debezium's thread. The changes
     * go in rounds: each round offers the oldest change not yet held of every row, all at once, so a row's changes are
     * accepted in the slot's order (a change is offered only once the one before it is durable, even when the inbox refused
     * it for a while). Throws {@link InterruptedException} when the source stops first: the batch is not marked, and the
     * next reader reads it again.
     */
    private void handleBatch(List<ChangeEvent<String, String>> events, DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer)
            throws InterruptedException {
        Map<String, ArrayDeque<Change>> rows = new LinkedHashMap<>();
        int unusable = 0;
        for (ChangeEvent<String, String> event : events) {
            if (event.value() != null && !event.destination().startsWith(HEARTBEAT_TOPIC)) {
                Change change = new Change(event);
                String row = change.envelope == null ? "unusable " + unusable++ : change.envelope.json().path("row").asText();
                rows.computeIfAbsent(row, r -> new ArrayDeque<>()).add(change);
            }
        }
        while (!rows.isEmpty()) {
            List<ArrayDeque<Change>> round = new ArrayList<>(rows.values());
            List<CompletableFuture<Intake.Outcome>> outcomes = new ArrayList<>(round.size());
            for (ArrayDeque<Change> row : round) {
                outcomes.add(take(row.peekFirst()).toCompletableFuture());
            }
            Duration retry = null;
            for (int i = 0; i < round.size(); i++) {
                if (await(outcomes.get(i)) instanceof Intake.Outcome.Retry r) {
                    retry = retry == null || r.after().compareTo(retry) > 0 ? r.after() : retry;
                } else {
                    round.get(i).pollFirst();
                }
            }
            rows.values().removeIf(ArrayDeque::isEmpty);
            if (retry != null) {
                sleep(retry);
            }
            if (stopping) {
                throw new InterruptedException("the source stops; the batch is read again by the next reader");
            }
        }
        for (ChangeEvent<String, String> event : events) {
            committer.markProcessed(event);
        }
        committer.markBatchFinished();
    }

    /** The inbox's answer for one change; a change that cannot become a message is recorded as a dead letter first. */
    private CompletionStage<Intake.Outcome> take(Change change) {
        Intake.Received received = change.received();
        CompletionStage<Intake.Outcome> outcome = change.unusable != null ? CompletableFuture.completedFuture(change.unusable)
                : intake.take(received);
        return outcome.thenCompose(o -> {
            if (o instanceof Intake.Outcome.Unusable unusable) {
                log.warn("{}: a change from {} is recorded as a dead letter: {}", context.integration(), detail, unusable.reason());
                return intake.record(unusable, received);
            }
            return CompletableFuture.completedFuture(o);
        }).exceptionally(e -> new Intake.Outcome.Retry(Intake.MIN_BACKOFF));
    }

    /** One change event as the inbox receives it: the {@link ChangeEnvelope}, or the raw event when it cannot be one. */
    private static final class Change {
        final ChangeEnvelope envelope;
        final Intake.Outcome.Unusable unusable;
        final byte[] raw;

        Change(ChangeEvent<String, String> event) {
            ChangeEnvelope built = null;
            Intake.Outcome.Unusable problem = null;
            try {
                built = ChangeEnvelope.of(event.key(), event.value());
            } catch (IllegalArgumentException e) {
                problem = new Intake.Outcome.Unusable("invalid-body", e.getMessage());
            }
            this.envelope = built;
            this.unusable = problem;
            this.raw = event.value().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }

        Intake.Received received() {
            if (envelope == null) {
                return new Intake.Received(raw, "application/json", Map.of(), name -> Optional.empty(), name -> Optional.empty());
            }
            return new Intake.Received(envelope.body(), "application/json", envelope.headers(),
                    name -> Optional.ofNullable(envelope.headers().get(name)),
                    name -> name.equals(NATIVE_KEY) ? Optional.of(envelope.key()) : Optional.empty());
        }
    }

    /**
     * Before the first start (no position in the journal for this slot): creates the slot if it is missing and commits its
     * confirmed position as the source's position. Without it Debezium would begin at the current end of the WAL, so a reader that
     * died before its first commit would make its successor skip every change between the slot's position and then.
     */
    private void seedPosition() throws Exception {
        if (positions.load().toCompletableFuture().get(30, TimeUnit.SECONDS).isPresent()) {
            return;
        }
        long confirmed;
        try (Connection c = system.connectOnce()) {
            try (PreparedStatement s = c.prepareStatement("SELECT pg_create_logical_replication_slot(?, 'pgoutput') "
                    + "WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = ?)")) {
                s.setString(1, settings.slot());
                s.setString(2, settings.slot());
                s.execute();
            }
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT confirmed_flush_lsn - '0/0'::pg_lsn FROM pg_replication_slots WHERE slot_name = ?")) {
                s.setString(1, settings.slot());
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next() || rs.getObject(1) == null) {
                        throw new IllegalStateException("the replication slot " + settings.slot() + " has no confirmed position");
                    }
                    confirmed = rs.getLong(1);
                }
            }
        }
        positions.commit(JournalOffsetStore.initial(engineName(), confirmed)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        log.info("{}: starts reading {} at {}", context.integration(), detail, ChangeEnvelope.lsnText(confirmed));
    }

    /** The connector's name: part of the key Debezium stores its offset under, so the same for every start. */
    private String engineName() {
        return "junction-cdc-" + context.integration();
    }

    private Properties properties(String registration) {
        CdcSettings.Address address = CdcSettings.Address.of(system.url());
        Properties p = new Properties();
        p.setProperty("name", engineName());
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", JournalOffsetStore.class.getName());
        p.setProperty(JournalOffsetStore.NAME_PROPERTY, registration);
        p.setProperty("offset.flush.interval.ms", String.valueOf(settings.commitEvery().toMillis()));
        p.setProperty("offset.flush.timeout.ms", "30000");
        p.setProperty("database.hostname", address.host());
        p.setProperty("database.port", String.valueOf(address.port()));
        p.setProperty("database.dbname", address.database());
        p.setProperty("database.user", system.user().isEmpty() ? "postgres" : system.user());
        p.setProperty("database.password", system.password());
        p.setProperty("database.connectionTimeZone", "UTC");
        p.setProperty("topic.prefix", JournalOffsetStore.TOPIC_PREFIX);
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", settings.slot());
        p.setProperty("publication.name", settings.publication());
        p.setProperty("publication.autocreate.mode", "filtered");
        p.setProperty("table.include.list", String.join(",", settings.tables().stream().map(t -> t.replace(".", "\\.")).toList()));
        p.setProperty("snapshot.mode", "no_data");
        p.setProperty("tombstones.on.delete", "false");
        p.setProperty("decimal.handling.mode", "string");
        p.setProperty("max.batch.size", String.valueOf(settings.batch()));
        p.setProperty("max.queue.size", String.valueOf(Math.max(8192, settings.batch() * 4)));
        p.setProperty("poll.interval.ms", String.valueOf(settings.every().toMillis()));
        p.setProperty("heartbeat.interval.ms", String.valueOf(settings.heartbeat().toMillis()));
        p.setProperty("slot.max.retries", "6");
        p.setProperty("slot.retry.delay.ms", "5000");
        p.setProperty("key.converter.schemas.enable", "false");
        p.setProperty("value.converter.schemas.enable", "false");
        p.setProperty("converter.schemas.enable", "false");
        return p;
    }

    @Override
    public synchronized CompletionStage<Void> stop() {
        if (stopped != null) {
            return stopped;
        }
        stopping = true;
        stopped = CompletableFuture.runAsync(() -> {
            DebeziumEngine<ChangeEvent<String, String>> e = engine;
            if (e != null) {
                try {
                    e.close();
                } catch (Exception | Error ex) {
                    log.debug("{}: closing the engine: {}", context.integration(), ex.toString());
                }
            }
            thread.interrupt();
            try {
                finished.await(STOP_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }, context.blockingExecutor());
        return stopped;
    }

    private static Intake.Outcome await(CompletableFuture<Intake.Outcome> outcome) throws InterruptedException {
        try {
            return outcome.get();
        } catch (java.util.concurrent.ExecutionException e) {
            return new Intake.Outcome.Retry(Intake.MIN_BACKOFF); // take() never fails; this is only for the compiler
        }
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Why the engine stopped, in words an operator can act on. */
    private String explain(String message, Throwable error) {
        String cause = error == null ? message : rootCause(error);
        if (cause != null && cause.contains("no longer available on the server")) {
            return "the replication slot " + settings.slot() + " no longer holds the position Junction committed (was it dropped?):"
                    + " the changes made since cannot be captured; to go on from now, give the source a new slot";
        }
        return cause;
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
