package dev.junction.connectors.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.connectors.api.ConnectorException;
import dev.junction.connectors.api.InboundMessage;
import dev.junction.connectors.api.IngestResult;
import dev.junction.connectors.api.Intake;
import dev.junction.connectors.api.KeyRule;
import dev.junction.connectors.api.RetriableException;
import dev.junction.connectors.api.RunCounts;
import dev.junction.connectors.api.RunRecorder;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceInstance;
import dev.junction.connectors.api.UnusableMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an HTTP API in runs (a poll every {@code every}, a batch on its {@link Schedule}). A run starts from the committed watermark,
 * reads page after page (each request through the system's gates), hands every item of a page to the inbox at once and waits
 * for the answers before it asks for the next page. Only when every item of the run is durable (accepted, a duplicate, or
 * recorded as a dead letter) does it commit the newest watermark seen: a crash, a failed page or a refusal by the inbox leaves
 * the old one, and the next run reads the same items again, which the inbox answers as duplicates. So a crash repeats at most
 * the last run. Each run is recorded ({@link RunRecorder}).
 *
 * <p>Threads: one run at a time, on the blocking executor, waiting for the pages and the inbox; the next is scheduled when a
 * run ends. {@link #stop()} ends the running run after its current page (up to {@value #DRAIN_SECONDS} s).
 */
final class PollSource implements SourceInstance {
    private static final Logger log = LoggerFactory.getLogger(PollSource.class);
    private static final int DRAIN_SECONDS = 20;

    private final PollSettings settings;
    private final PageFetcher fetcher;
    private final SourceContext context;
    private final Schedule schedule;
    private final String detail;
    private volatile boolean stopping;
    private volatile CompletableFuture<Void> running = CompletableFuture.completedFuture(null);
    private CompletableFuture<Void> stopped;
    // touched by one run at a time only
    private boolean loaded;
    private String committed;

    PollSource(PollSettings settings, PageFetcher fetcher, SourceContext context, Schedule schedule) {
        this.settings = settings;
        this.fetcher = fetcher;
        this.context = context;
        this.schedule = schedule;
        this.detail = "GET " + settings.url();
    }

    @Override
    public void start() {
        scheduleRun(schedule.next(Instant.now(), true));
    }

    private void scheduleRun(Instant at) {
        if (stopping) {
            return;
        }
        if (at == null) {
            log.warn("{}: the schedule names no further time; no more runs", context.integration());
            return;
        }
        // rounded up: a run that starts early would see the time before its tick (and take it as its window's end)
        long delay = Math.max(0, (Duration.between(Instant.now(), at).toNanos() + 999_999) / 1_000_000);
        CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS, context.blockingExecutor()).execute(this::run);
    }

    private void run() {
        CompletableFuture<Void> current = new CompletableFuture<>();
        running = current; // before reading stopping, which stop() sets before reading running: one of them sees the other
        if (stopping) {
            current.complete(null);
            return;
        }
        Instant started = Instant.now();
        Duration after = Duration.ZERO;
        try {
            after = runOnce(started);
        } catch (RuntimeException e) {
            log.warn("{}: poll run failed unexpectedly", context.integration(), e);
        } finally {
            current.complete(null);
        }
        Instant next = schedule.next(Instant.now(), false);
        Instant notBefore = Instant.now().plus(after);
        scheduleRun(next != null && next.isBefore(notBefore) ? notBefore : next);
    }

    /** One run; returns the least time before the next (the inbox's back-off after a refusal). */
    private Duration runOnce(Instant started) {
        if (!loaded) {
            Optional<String> position = context.positions().load().toCompletableFuture().join();
            committed = position.orElse(settings.watermark() == null ? null : settings.watermark().initial());
            loaded = true;
        }
        String before = committed;
        RunRecorder.Run run = context.runs().begin(new RunRecorder.Window(before, schedule.windowed() ? started.toString() : null, before));
        RunCounts counts = new RunCounts();
        String newest = before;
        String start = settings.untilParam() == null ? settings.url() : Urls.withParam(settings.url(), settings.untilParam(), started.toString());
        String url = settings.paging().first(withWatermark(start, before));
        long readBefore = 0;
        try {
            for (int index = 0; url != null; index++) {
                if (stopping) {
                    throw new RetriableException("stopped", "the source stopped during the run", null);
                }
                if (index >= settings.maxPages()) {
                    throw new IllegalStateException("the run reached max-pages (" + settings.maxPages() + ") with more pages to read");
                }
                Page page = join(fetcher.fetch(url));
                context.status().connected(detail);
                counts.page(page.items().size());
                newest = Watermark.newest(newest, takeAll(page, url, counts));
                run.progress(counts);
                String next = settings.paging().next(url, page, index, readBefore).orElse(null);
                readBefore += page.items().size();
                url = next;
            }
            if (settings.watermark() != null && newest != null && !newest.equals(before)) {
                context.positions().commit(newest).toCompletableFuture().join();
                committed = newest;
            }
            run.finish(RunRecorder.Status.SUCCEEDED, counts, committed, null);
            return Duration.ZERO;
        } catch (Refused refused) {
            finishFailed(run, counts, "the inbox refused " + refused.count + " item(s) for now: " + refused.reason);
            return Intake.backoff(refused.retryAfter);
        } catch (RuntimeException e) {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            String reason = cause instanceof ConnectorException c ? c.errorClass() + ": " + c.getMessage() : String.valueOf(cause.getMessage());
            if (!(cause instanceof RetriableException r && r.errorClass().equals("stopped"))) {
                log.warn("{}: poll run failed: {}", context.integration(), reason);
                context.status().disconnected(reason, settings.every());
            }
            finishFailed(run, counts, reason);
            return Duration.ZERO;
        }
    }

    private static void finishFailed(RunRecorder.Run run, RunCounts counts, String error) {
        boolean some = counts.accepted() + counts.duplicate() + counts.invalid() > 0;
        run.finish(some ? RunRecorder.Status.PARTIAL : RunRecorder.Status.FAILED, counts, null, error);
    }

    /**
     * Hands every item of {@code page} to the inbox at once and waits for every answer; returns the newest watermark among
     * them. Throws {@link Refused} when the inbox did not take every item.
     */
    private String takeAll(Page page, String url, RunCounts counts) {
        List<CompletableFuture<IngestResult>> answers = new ArrayList<>(page.items().size());
        for (int i = 0; i < page.items().size(); i++) {
            answers.add(take(page.items().get(i), url, i, counts).toCompletableFuture());
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).join();
        String newest = null;
        Refused refused = null;
        for (int i = 0; i < answers.size(); i++) {
            IngestResult answer = answers.get(i).join();
            if (answer instanceof IngestResult.Unavailable u) {
                refused = refused == null ? new Refused(u.reason(), u.retryAfter()) : refused;
                refused.count++;
            } else if (settings.watermark() != null) {
                newest = Watermark.newest(newest, Watermark.of(page.items().get(i), settings.watermark().from()));
            }
        }
        if (refused != null) {
            throw refused;
        }
        return newest;
    }

    /** The inbox's answer for one item; an item that cannot be a message is recorded as a dead letter. */
    private CompletionStage<IngestResult> take(JsonNode item, String url, int index, RunCounts counts) {
        byte[] raw = item.toString().getBytes(StandardCharsets.UTF_8);
        Map<String, String> kept = Map.of("poll-url", url, "poll-item", Integer.toString(index));
        if (!item.isObject()) {
            return reject("invalid-item", "item " + index + " of " + url + " is not a JSON object", raw, kept, counts);
        }
        KeyRule.Found key = settings.keys().find(new KeyRule.Message(name -> Optional.empty(), name -> Optional.empty(), item));
        if (!key.isKey()) {
            return reject("invalid-key", key.problem(), raw, kept, counts);
        }
        return context.ingestor().ingest(new InboundMessage(key.key(), "application/json", raw, item, kept)).thenCompose(answer -> {
            counts.ingested(answer);
            if (answer instanceof IngestResult.Conflict c) {
                return reject("conflict", "the idempotency key " + key.key() + " was accepted before with another body (message "
                        + c.messageId() + ")", raw, kept, counts);
            }
            return CompletableFuture.completedFuture(answer);
        });
    }

    private CompletionStage<IngestResult> reject(String errorClass, String reason, byte[] raw, Map<String, String> kept, RunCounts counts) {
        log.warn("{}: an item of {} is recorded as a dead letter: {}", context.integration(), kept.get("poll-url"), reason);
        return context.ingestor().reject(new UnusableMessage(errorClass, reason, "application/json", raw, kept)).thenApply(answer -> {
            counts.rejected(answer);
            return answer;
        });
    }

    private String withWatermark(String url, String watermark) {
        return settings.watermark() == null || watermark == null ? url : Urls.withParam(url, settings.watermark().param(), watermark);
    }

    private static <T> T join(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    /** The inbox did not take every item of a page. */
    private static final class Refused extends RuntimeException {
        final String reason;
        final Duration retryAfter;
        int count;

        Refused(String reason, Duration retryAfter) {
            super(reason, null, false, false);
            this.reason = reason;
            this.retryAfter = retryAfter;
        }
    }

    @Override
    public synchronized CompletionStage<Void> stop() {
        if (stopped == null) {
            stopping = true;
            stopped = running.completeOnTimeout(null, DRAIN_SECONDS, TimeUnit.SECONDS);
        }
        return stopped;
    }
}
