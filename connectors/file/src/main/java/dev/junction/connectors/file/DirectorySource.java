package dev.junction.connectors.file;

import dev.junction.connectors.api.IngestResult;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceInstance;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.pf.PFBuilder;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls a directory and hands every message of every finished file to the inbox; a file leaves the directory only once the
 * inbox holds all of its messages. See {@link StableFiles} for when a file counts as finished, {@link FileParser} for what
 * a file may hold and {@link FileTally} for what becomes of it.
 *
 * <p>The stream: a tick every {@code poll-interval}; per tick (never two at once) one listing on the blocking executor, then
 * each stable file read there, its messages ingested with up to {@code parallelism} in flight, and the file moved once its
 * last answer is in. A tick that comes while a poll is still running is dropped, so a slow inbox slows polling down.
 *
 * <p>Lifecycle and threads: {@link #start()} materializes the stream and returns at once; the stream's stages run on the
 * actor system's dispatcher and every file system call on the blocking executor. {@link #stop()} shuts the kill switch: no
 * new file is started, files already read finish (ingested and moved, or left for next time), then its stage completes.
 * A directory that cannot be listed (missing, unmounted) is logged once and polled on; nothing is ever deleted, so
 * {@code .done/} grows until an operator clears it.
 */
final class DirectorySource implements SourceInstance {
    private static final Logger log = LoggerFactory.getLogger(DirectorySource.class);

    private record Answered(FileTally.Item item, IngestResult result) {}

    private final DirectorySettings settings;
    private final SourceContext context;
    private final StableFiles listing;
    private final FileParser parser;
    private final FileMover mover;
    private final SharedKillSwitch killSwitch;
    private volatile CompletionStage<Done> done;
    private boolean listingFailed; // touched by one poll at a time, see StableFiles

    DirectorySource(DirectorySettings settings, SourceContext context) {
        this.settings = settings;
        this.context = context;
        this.listing = new StableFiles(settings.directory(), settings.pattern());
        this.parser = new FileParser(settings.keys());
        this.mover = new FileMover(settings);
        this.killSwitch = KillSwitches.shared("directory-source-" + context.integration());
    }

    @Override
    public synchronized void start() {
        if (done != null) {
            throw new IllegalStateException("directory source of " + context.integration() + " already started");
        }
        log.info("{}: polling {} for {} every {} ms",
                context.integration(), settings.directory(), settings.pattern(), settings.pollInterval().toMillis());
        done = Source.tick(Duration.ZERO, settings.pollInterval(), "poll")
                .via(killSwitch.flow())
                // a poll that fails (a bug, an executor gone) is logged and the next tick polls afresh: one bad file never ends the source
                .flatMapConcat(tick -> onePoll().recoverWithRetries(1, new PFBuilder<Throwable, Source<FileTally.Verdict, NotUsed>>()
                        .matchAny(failure -> {
                            log.error("{}: a poll of {} failed", context.integration(), settings.directory(), failure);
                            return Source.empty();
                        })
                        .build()))
                .runWith(Sink.ignore(), Materializer.matFromSystem(context.actorSystem()));
        done.whenComplete((d, failure) -> {
            if (failure != null) {
                log.error("{}: directory source stopped by a failure", context.integration(), failure);
            }
        });
    }

    /** One listing, and every stable file in it read, ingested and settled; completes once the last file is settled. */
    private Source<FileTally.Verdict, NotUsed> onePoll() {
        return Source.completionStage(blocking(this::list))
                .mapConcat(files -> files)
                .via(killSwitch.flow())
                .mapAsync(1, file -> blocking(() -> read(file)))
                .mapConcat(items -> items)
                .mapAsync(settings.parallelism(), this::ingest)
                // answers arrive in file order from here on, one at a time: the tallies need no locks
                .mapConcat(answered -> answered.item().tally().answer(answered.item(), answered.result()).stream().toList())
                .mapAsync(1, verdict -> blocking(() -> {
                    mover.settle(verdict);
                    return verdict;
                }));
    }

    private List<Path> list() {
        try {
            List<Path> files = listing.poll();
            if (listingFailed) {
                log.info("{}: can list {} again", context.integration(), settings.directory());
                listingFailed = false;
            }
            return files;
        } catch (IOException e) {
            // once per outage, not once per poll
            if (!listingFailed) {
                log.warn("{}: cannot list {}, trying every {} ms: {}",
                        context.integration(), settings.directory(), settings.pollInterval().toMillis(), e.toString());
                listingFailed = true;
            }
            return List.of();
        }
    }

    private List<FileTally.Item> read(Path file) {
        try {
            return FileTally.itemsOf(parser.parse(file));
        } catch (NoSuchFileException gone) {
            return List.of(); // taken away since the listing: not ours any more
        } catch (IOException e) {
            log.warn("{}: cannot read {}, trying again on the next poll: {}", context.integration(), file, e.toString());
            return List.of();
        }
    }

    private CompletionStage<Answered> ingest(FileTally.Item item) {
        if (item.line() == null) {
            return CompletableFuture.completedFuture(new Answered(item, null));
        }
        CompletionStage<IngestResult> result;
        try {
            result = context.ingestor().ingest(item.line().message());
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        // the Ingestor promises never to fail; if it does anyway, treat it as unavailable so the file is kept
        return result.exceptionally(e -> new IngestResult.Unavailable(e.toString(), Duration.ZERO))
                .thenApply(r -> new Answered(item, r));
    }

    /** Runs file system work on the blocking executor; the work catches its own I/O failures. */
    private <T> CompletionStage<T> blocking(Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, context.blockingExecutor());
    }

    @Override
    public synchronized CompletionStage<Void> stop() {
        killSwitch.shutdown();
        CompletionStage<Done> running = done;
        return running == null ? CompletableFuture.completedFuture(null) : running.handle((d, failure) -> null);
    }
}
