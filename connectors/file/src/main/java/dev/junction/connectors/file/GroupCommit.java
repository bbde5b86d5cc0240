package dev.junction.connectors.file;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Turns items queued from many threads into groups handled by one task at a time on an executor: while the task writes one
 * group, the next one collects, so a slow {@code fsync} is paid once per group rather than once per item.
 *
 * <p>Threads: {@link #add} may be called from any thread and never blocks. {@code writeGroup} runs on {@code executor}, never
 * twice at once, and gets every item queued when it starts. If the executor refuses the task, the queued items go to
 * {@code onRejected} on the calling thread.
 */
final class GroupCommit<T> {
    private final ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean writerScheduled = new AtomicBoolean();
    private final Executor executor;
    private final Consumer<List<T>> writeGroup;
    private final BiConsumer<List<T>, RejectedExecutionException> onRejected;

    GroupCommit(Executor executor, Consumer<List<T>> writeGroup, BiConsumer<List<T>, RejectedExecutionException> onRejected) {
        this.executor = executor;
        this.writeGroup = writeGroup;
        this.onRejected = onRejected;
    }

    /** Queues {@code item} and makes sure a writer task is on its way. */
    void add(T item) {
        queue.add(item);
        if (writerScheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                writerScheduled.set(false);
                onRejected.accept(takeQueued(), e);
            }
        }
    }

    /** Everything queued now, removed from the queue; for a final flush by the owner. */
    List<T> takeQueued() {
        List<T> group = new ArrayList<>();
        for (T item; (item = queue.poll()) != null; ) {
            group.add(item);
        }
        return group;
    }

    /** The writer task: writes groups until the queue is empty, then steps down unless an item slipped in meanwhile. */
    private void drain() {
        while (true) {
            List<T> group = takeQueued();
            if (!group.isEmpty()) {
                writeGroup.accept(group);
                continue;
            }
            writerScheduled.set(false);
            // an add() that queued after takeQueued() but still saw writerScheduled true relies on this task to pick it up
            if (queue.isEmpty() || !writerScheduled.compareAndSet(false, true)) {
                return;
            }
        }
    }
}
