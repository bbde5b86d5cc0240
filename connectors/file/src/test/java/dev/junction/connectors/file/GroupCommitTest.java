package dev.junction.connectors.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class GroupCommitTest {

    /** An executor that runs nothing until told to, so the test decides when the writer runs. */
    private static final class Manual implements Executor {
        final Queue<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            for (Runnable task; (task = tasks.poll()) != null; ) {
                task.run();
            }
        }
    }

    @Test
    void itemsQueuedWhileTheWriterWaitsAreWrittenAsOneGroup() {
        Manual executor = new Manual();
        List<List<Integer>> groups = new ArrayList<>();
        GroupCommit<Integer> commit = new GroupCommit<>(executor, groups::add, (items, e) -> {});

        IntStream.range(0, 100).forEach(commit::add);
        assertEquals(1, executor.tasks.size(), "one writer task, however many items");
        executor.runAll();
        assertEquals(List.of(IntStream.range(0, 100).boxed().toList()), groups);

        commit.add(100);
        executor.runAll();
        assertEquals(List.of(100), groups.get(1), "a new writer once the last one stepped down");
    }

    @Test
    void itemsAddedWhileAGroupIsBeingWrittenFormTheNextGroup() {
        Manual executor = new Manual();
        List<List<Integer>> groups = new ArrayList<>();
        AtomicReference<GroupCommit<Integer>> self = new AtomicReference<>();
        self.set(new GroupCommit<>(executor, group -> {
            groups.add(group);
            if (groups.size() == 1) {
                self.get().add(10); // arrives while the first group is on its way to disk
                self.get().add(11);
            }
        }, (items, e) -> {}));

        self.get().add(1);
        executor.runAll();
        assertEquals(List.of(List.of(1), List.of(10, 11)), groups);
        assertEquals(0, executor.tasks.size(), "the running writer took them; no second task");
    }

    @Test
    void whenTheExecutorRefusesTheItemsAreHandedBack() {
        List<Integer> refused = new ArrayList<>();
        GroupCommit<Integer> commit = new GroupCommit<>(task -> {
            throw new RejectedExecutionException("shut down");
        }, group -> {}, (items, e) -> refused.addAll(items));
        commit.add(1);
        commit.add(2);
        assertEquals(List.of(1, 2), refused);
    }
}
