package dev.junction.connectors.file;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.junction.connectors.api.PermanentException;
import dev.junction.connectors.api.RetriableException;
import dev.junction.connectors.api.SinkInstance;
import dev.junction.connectors.api.SinkRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends one JSON line per record to a file and applies each idempotency key once: a record whose key is already in the
 * file is confirmed without being written again.
 *
 * <p>Threads: {@link #send} runs on the caller's (dispatcher) thread and only serializes and queues. A {@link GroupCommit}
 * writer task on the blocking executor takes everything queued, writes it in one go, forces it to disk once, then completes
 * those records' stages (so their callbacks run on that thread). The channel and the set of written keys are touched only
 * under {@code lock}, by the writer task or by {@link #close()}.
 *
 * <p>Lifecycle: the file is opened, and its keys read, on the first write. A failed write closes the channel so the next
 * write re-reads the file: that picks up lines of the failed group that did reach the disk, and starts on a fresh line if the
 * failure tore one. {@link #close()} writes what is still queued, forces and closes the file; later sends fail as retriable.
 *
 * <p>Memory: every key in the file is held in memory, so point targets at a file per period rather than one growing forever.
 */
final class JsonlFileSink implements SinkInstance {
    private static final Logger log = LoggerFactory.getLogger(JsonlFileSink.class);
    private static final byte[] NEWLINE = {'\n'};

    private record Pending(String key, byte[] line, CompletableFuture<Void> done) {}

    private final Path file;
    private final boolean fsync;
    private final Executor blocking;
    private final GroupCommit<Pending> groups;
    private final Object lock = new Object();
    private volatile boolean closed;

    // guarded by lock; null while the file is not open
    private FileChannel channel;
    private Set<String> keys;

    JsonlFileSink(Path file, boolean fsync, Executor blocking) {
        this.file = file;
        this.fsync = fsync;
        this.blocking = blocking;
        this.groups = new GroupCommit<>(blocking, this::writeGroupLocked,
                (group, e) -> failAll(group, new RetriableException("io", "blocking executor refused the write", e)));
    }

    @Override
    public CompletionStage<Void> send(SinkRecord record) {
        if (closed) {
            return CompletableFuture.failedFuture(new RetriableException("closed", "sink for " + file + " is closed", null));
        }
        if (record.idempotencyKey() == null) {
            // the server always sets one; without it this sink cannot promise a single effect, and no retry will add it
            return CompletableFuture.failedFuture(
                    new PermanentException("no-idempotency-key", "record " + record.messageId() + " has no idempotency key"));
        }
        byte[] line;
        try {
            line = JsonlLine.encode(record, Instant.now());
        } catch (JsonProcessingException e) {
            return CompletableFuture.failedFuture(
                    new PermanentException("serialization", "payload cannot be written as JSON: " + e.getOriginalMessage(), e));
        }
        Pending pending = new Pending(record.idempotencyKey(), line, new CompletableFuture<>());
        groups.add(pending);
        return pending.done();
    }

    private void writeGroupLocked(List<Pending> group) {
        synchronized (lock) {
            writeGroup(group);
        }
    }

    // lock held
    private void writeGroup(List<Pending> group) {
        try {
            boolean opened = open();
            Set<String> inGroup = new HashSet<>();
            List<ByteBuffer> lines = new ArrayList<>();
            for (Pending p : group) {
                // a key already in the file (or earlier in this group) is the target honouring it: confirm without writing
                if (!keys.contains(p.key()) && inGroup.add(p.key())) {
                    lines.add(ByteBuffer.wrap(p.line()));
                }
            }
            write(lines.toArray(ByteBuffer[]::new));
            // after opening, force even with nothing new: keys found in the file may not have reached the disk yet
            if (fsync && (opened || !lines.isEmpty())) {
                channel.force(false);
            }
            keys.addAll(inGroup);
        } catch (IOException | RuntimeException e) {
            closeChannel();
            failAll(group, new RetriableException("io", "cannot append to " + file + ": " + e, e));
            return;
        }
        group.forEach(p -> p.done().complete(null));
    }

    /** Opens the file unless it is open; true when it opened it now. Lock held. */
    private boolean open() throws IOException {
        if (channel != null) {
            return false;
        }
        if (closed) {
            throw new IOException("sink is closed");
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        WrittenKeys written = WrittenKeys.read(file);
        if (written.unreadableLines() > 0) {
            log.info("{}: ignoring {} unreadable line(s), left by interrupted writes", file, written.unreadableLines());
        }
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        keys = written.keys();
        if (written.endsMidLine()) {
            write(ByteBuffer.wrap(NEWLINE));
        }
        return true;
    }

    // lock held
    private void write(ByteBuffer... buffers) throws IOException {
        long remaining = 0;
        for (ByteBuffer b : buffers) {
            remaining += b.remaining();
        }
        while (remaining > 0) {
            remaining -= channel.write(buffers);
        }
    }

    private static void failAll(List<Pending> group, RuntimeException failure) {
        group.forEach(p -> p.done().completeExceptionally(failure));
    }

    // lock held
    private void closeChannel() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            log.debug("{}: close failed", file, e);
        }
        channel = null;
        keys = null;
    }

    @Override
    public CompletionStage<Void> close() {
        closed = true;
        Runnable flushAndClose = () -> {
            synchronized (lock) {
                // sends that raced with close are still written (or, if the file never opened, failed): close drops nothing
                List<Pending> rest = groups.takeQueued();
                if (!rest.isEmpty()) {
                    writeGroup(rest);
                }
                try {
                    if (channel != null) {
                        channel.force(false); // with fsync off this is the only force: at least a clean shutdown loses nothing
                    }
                } catch (IOException e) {
                    log.warn("{}: final force failed", file, e);
                }
                closeChannel();
            }
        };
        try {
            return CompletableFuture.runAsync(flushAndClose, blocking);
        } catch (RejectedExecutionException e) {
            flushAndClose.run(); // the executor is already gone at shutdown: better to block here than to leave the file open
            return CompletableFuture.completedFuture(null);
        }
    }
}
