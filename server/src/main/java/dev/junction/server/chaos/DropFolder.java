package dev.junction.server.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Plays a directory source's sender: writes each message as {@code <key>.json} into the folder the source reads (in the run's
 * scratch directory, where {@link Plan#adjust} moved the system), whole at once (written aside, then renamed), and tells when
 * the source has taken a file away.
 */
final class DropFolder implements Feed {
    /** A file not taken within this is given up on; the settle step then reports it. */
    private static final Duration TAKE_TIMEOUT = Duration.ofSeconds(30);

    @Override
    public CompletableFuture<Sent> put(Driven d, Inputs.Message message, String kind) {
        long sentAt = System.currentTimeMillis();
        try {
            Files.createDirectories(d.dropFolder());
            Path part = d.dropFolder().resolve("." + message.fileName() + ".part");
            Files.writeString(part, message.body().toString());
            Files.move(part, d.dropFolder().resolve(message.fileName()), StandardCopyOption.ATOMIC_MOVE);
            return CompletableFuture.completedFuture(Feed.putIn(d, message, kind, sentAt, message.fileName()));
        } catch (IOException e) {
            return CompletableFuture.completedFuture(Feed.notPutIn(d, message, kind, sentAt, message.fileName(), e));
        }
    }

    /** Completes once the source has taken the message's file away (to .done/ or .failed/), or after {@link #TAKE_TIMEOUT}. */
    @Override
    public CompletableFuture<Void> whenTaken(Driven d, Inputs.Message message) {
        return whenTaken(d.dropFolder().resolve(message.fileName()), System.nanoTime() + TAKE_TIMEOUT.toNanos());
    }

    private static CompletableFuture<Void> whenTaken(Path file, long deadline) {
        if (!Files.exists(file) || System.nanoTime() > deadline) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS))
                .thenCompose(x -> whenTaken(file, deadline));
    }

    /** Whether the source refused the message's file (moved it to .failed/). */
    @Override
    public boolean refused(Driven d, String fileName) {
        return Files.exists(d.dropFolder().resolve(".failed").resolve(fileName));
    }

    @Override
    public String describe(Driven d) {
        return "files written into " + d.dropFolder();
    }
}
