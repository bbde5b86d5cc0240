package dev.junction.connectors.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.junction.connectors.api.Intake;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceInstance;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays an outbox table, one cycle at a time: read the oldest rows not yet relayed (at most a batch, lowest id first), hand
 * each to the inbox through {@link Intake} (in id order, all of them in flight at once), then delete or mark exactly the rows
 * whose message the inbox holds: accepted, a duplicate of one it holds, or recorded as a dead letter (a payload that is not
 * JSON, a row without a usable key, a key reused with another payload). A row the inbox refused stays and is read again
 * after the refusal's back-off. A crash between the inbox's answer and the clearing leaves rows that the next reader hands
 * over again: the inbox answers them as duplicates, so nothing is applied twice.
 *
 * <p>No cursor is kept (see {@link OutboxTable}): the table is the position, so rows committed out of id order by concurrent
 * transactions are never skipped, and the source's {@code PositionStore} is not used.
 *
 * <p>Threads: each cycle's reads and clearing run on the blocking executor; the inbox answers on Pekko's threads. One cycle
 * runs at a time; the next is scheduled when one ends: at once after a full batch, after {@code every} otherwise, with a
 * growing back-off (up to 30 s) while the database cannot be reached. {@link #stop()} lets the running cycle end (up to
 * {@value #DRAIN_SECONDS} s), then closes the pool.
 */
final class OutboxSource implements SourceInstance {
    private static final Logger log = LoggerFactory.getLogger(OutboxSource.class);
    private static final int DRAIN_SECONDS = 10;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final OutboxSettings settings;
    private final JdbcSystem system;
    private final SourceContext context;
    private final Intake intake;
    private final OutboxTable table;
    private final String detail;
    private volatile HikariDataSource pool;
    private volatile boolean stopping;
    private volatile CompletableFuture<Void> cycle = CompletableFuture.completedFuture(null);
    // touched by one cycle at a time only
    private boolean connected;
    private Duration failing = Duration.ZERO;
    private CompletableFuture<Void> stopped;

    OutboxSource(OutboxSettings settings, JdbcSystem system, SourceContext context) {
        this.settings = settings;
        this.system = system;
        this.context = context;
        this.intake = new Intake(context.ingestor(), settings.keys());
        this.table = new OutboxTable(settings, system.dialect(), system.queryTimeoutSeconds());
        this.detail = "outbox table " + settings.table() + " of " + system.address();
    }

    @Override
    public void start() {
        pool = system.pool("junction-outbox-" + context.integration());
        schedule(Duration.ZERO);
    }

    private void schedule(Duration after) {
        if (stopping) {
            return;
        }
        CompletableFuture.delayedExecutor(after.toMillis(), TimeUnit.MILLISECONDS, context.blockingExecutor()).execute(this::runCycle);
    }

    private void runCycle() {
        CompletableFuture<Void> running = new CompletableFuture<>();
        cycle = running; // before reading stopping, which stop() sets before reading cycle: one of them sees the other
        if (stopping) {
            running.complete(null);
            return;
        }
        Duration next;
        try {
            next = relayOnce();
        } catch (RuntimeException e) {
            next = failed(e);
        } finally {
            running.complete(null);
        }
        schedule(next);
    }

    /** One cycle; returns how long to wait before the next. Runs on the blocking executor and waits for the inbox. */
    private Duration relayOnce() {
        List<OutboxTable.Row> rows;
        try (Connection connection = pool.getConnection()) {
            rows = table.read(connection, settings.batch());
        } catch (SQLException e) {
            return failed(e);
        }
        reachable();
        if (rows.isEmpty()) {
            return settings.every();
        }
        List<CompletableFuture<Intake.Outcome>> outcomes = new ArrayList<>();
        for (OutboxTable.Row row : rows) {
            outcomes.add(take(row).toCompletableFuture());
        }
        CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).join();
        List<Object> held = new ArrayList<>();
        Duration retry = null;
        for (int i = 0; i < rows.size(); i++) {
            Intake.Outcome outcome = outcomes.get(i).join();
            if (outcome instanceof Intake.Outcome.Acknowledge) {
                held.add(rows.get(i).id());
            } else if (outcome instanceof Intake.Outcome.Retry r) {
                retry = retry == null || r.after().compareTo(retry) > 0 ? r.after() : retry;
            }
        }
        if (!held.isEmpty()) {
            try (Connection connection = pool.getConnection()) {
                table.clear(connection, held);
            } catch (SQLException e) {
                return failed(e); // the inbox holds them: read again, they are duplicates then, and cleared
            }
        }
        if (retry != null) {
            return retry;
        }
        return rows.size() >= settings.batch() ? Duration.ZERO : settings.every();
    }

    /** The inbox's answer for one row; an unusable row is recorded as a dead letter first. Never completes exceptionally. */
    private CompletionStage<Intake.Outcome> take(OutboxTable.Row row) {
        Map<String, String> kept = Map.of("outbox-table", settings.table(), "outbox-id", String.valueOf(row.id()));
        String nativeKey = settings.keyColumn() == null ? null : OutboxSettings.COLUMN + settings.keyColumn();
        Intake.Received received = new Intake.Received(row.payload(), "application/json", kept, name -> Optional.empty(),
                name -> name.equals(nativeKey) ? Optional.ofNullable(row.key()) : Optional.empty());
        return intake.take(received).thenCompose(outcome -> {
            if (outcome instanceof Intake.Outcome.Unusable unusable) {
                log.warn("{}: row {} of outbox table {} is recorded as a dead letter: {}", context.integration(), row.id(),
                        settings.table(), unusable.reason());
                return intake.record(unusable, received);
            }
            return CompletableFuture.completedFuture(outcome);
        }).exceptionally(e -> new Intake.Outcome.Retry(Intake.MIN_BACKOFF));
    }

    private void reachable() {
        failing = Duration.ZERO;
        if (!connected) {
            connected = true;
            context.status().connected(detail);
        }
    }

    private Duration failed(Exception e) {
        failing = failing.isZero() ? settings.every() : failing.multipliedBy(2);
        if (failing.compareTo(MAX_BACKOFF) > 0) {
            failing = MAX_BACKOFF;
        }
        String reason = e instanceof SQLException sql ? Failures.reason(sql) : String.valueOf(e.getMessage());
        if (connected || failing.equals(settings.every())) {
            log.warn("{}: cannot relay {}: {}; trying again in {} ms", context.integration(), detail, reason, failing.toMillis());
        }
        connected = false;
        context.status().disconnected(reason, failing);
        return failing;
    }

    @Override
    public synchronized CompletionStage<Void> stop() {
        if (stopped != null) {
            return stopped;
        }
        stopping = true;
        stopped = cycle.completeOnTimeout(null, DRAIN_SECONDS, TimeUnit.SECONDS).thenRunAsync(() -> {
            HikariDataSource p = pool;
            if (p != null) {
                p.close();
            }
        }, context.blockingExecutor());
        return stopped;
    }
}
