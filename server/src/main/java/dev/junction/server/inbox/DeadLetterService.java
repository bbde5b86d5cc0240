package dev.junction.server.inbox;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The dead letters of every partition of the chosen integrations, wherever in the cluster the partitions live: each request
 * goes to every partition and the answers are merged. Thread-safe.
 */
public final class DeadLetterService {
    /** A dead letter in full (read from the journal) with the integration it belongs to and what memory shows of it. */
    public record Located(String integration, DeadLetters.DeadLetter deadLetter, DeadLetters.Letter letter) {}

    private final Partitions partitions;
    private final DeadLetterRecords records;

    DeadLetterService(Partitions partitions, DeadLetterRecords records) {
        this.partitions = partitions;
        this.records = records;
    }

    public List<String> integrations() {
        return partitions.integrations();
    }

    /**
     * Up to {@code query.limit()} dead-lettered targets, newest first after {@code query.after()} (a page), and how many
     * matched in all.
     */
    public CompletionStage<DeadLetters.Page> list(Optional<String> integration, DeadLetters.Query query) {
        return this.<DeadLetters.Page>askAll(integration, replyTo -> new InboxPartition.ListDeadLetters(query, replyTo)).thenApply(pages -> {
            List<DeadLetters.Entry> entries = new ArrayList<>();
            int matched = 0;
            for (DeadLetters.Page page : pages) {
                entries.addAll(page.entries());
                matched += page.matched();
            }
            entries.sort(DeadLetters.Entry.ORDER);
            return new DeadLetters.Page(List.copyOf(entries.subList(0, Math.min(entries.size(), query.limit()))), matched);
        });
    }

    /** One dead letter in full: its partition says where its record is, which is then read from the journal. */
    public CompletionStage<Optional<Located>> get(String messageId) {
        List<CompletableFuture<Optional<Located>>> answers = new ArrayList<>();
        for (String integration : partitions.integrations()) {
            answers.add(this.<DeadLetters.Found>askAll(Optional.of(integration), replyTo -> new InboxPartition.GetDeadLetter(messageId, replyTo))
                    .thenCompose(found -> found.stream().filter(f -> f.letter() != null).findFirst()
                            .map(f -> records.read(f.persistenceId(), List.of(f.letter())).thenApply(read ->
                                    Optional.ofNullable(read.get(messageId)).map(record -> new Located(integration, record, f.letter()))))
                            .orElseGet(() -> CompletableFuture.completedFuture(Optional.empty())))
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenApply(x -> answers.stream().map(CompletableFuture::join).flatMap(Optional::stream).findFirst());
    }

    /** Which integration has a dead letter with this id (without reading its record), if any. */
    public CompletionStage<Optional<String>> integrationOf(String messageId) {
        List<CompletableFuture<Optional<String>>> answers = new ArrayList<>();
        for (String integration : partitions.integrations()) {
            answers.add(this.<DeadLetters.Found>askAll(Optional.of(integration), replyTo -> new InboxPartition.GetDeadLetter(messageId, replyTo))
                    .thenApply(found -> found.stream().anyMatch(f -> f.letter() != null) ? Optional.of(integration) : Optional.<String>empty())
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenApply(x -> answers.stream().map(CompletableFuture::join).flatMap(Optional::stream).findFirst());
    }

    /** Replays the matching dead-lettered targets, the newest {@code query.limit()} of them; returns what was replayed. */
    public CompletionStage<List<DeadLetters.Selected>> replay(Optional<String> integration, DeadLetters.Query query, String by, String reason,
                                                              MappingChoice mappings) {
        return chosen(integration, query).thenCompose(q -> q.isEmpty() ? CompletableFuture.completedFuture(List.of())
                : this.<DeadLetters.Applied>askAll(integration, replyTo -> new InboxPartition.ReplayDeadLetters(q.get(), by, reason, mappings, replyTo))
                        .thenApply(DeadLetterService::selected));
    }

    /** Discards the matching dead-lettered targets, the newest {@code query.limit()} of them; returns what was discarded. */
    public CompletionStage<List<DeadLetters.Selected>> discard(Optional<String> integration, DeadLetters.Query query, String by, String reason) {
        return chosen(integration, query).thenCompose(q -> q.isEmpty() ? CompletableFuture.completedFuture(List.of())
                : this.<DeadLetters.Applied>askAll(integration, replyTo -> new InboxPartition.DiscardDeadLetters(q.get(), by, reason, replyTo))
                        .thenApply(DeadLetterService::selected));
    }

    /**
     * The listing first, then the operation on exactly the envelopes listed: the limit then counts across partitions, as the
     * listing does, instead of per partition.
     */
    private CompletionStage<Optional<DeadLetters.Query>> chosen(Optional<String> integration, DeadLetters.Query query) {
        return list(integration, query).thenApply(page -> {
            java.util.Set<String> ids = page.entries().stream().map(DeadLetters.Entry::messageId)
                    .collect(java.util.stream.Collectors.toUnmodifiableSet());
            return ids.isEmpty() ? Optional.empty() : Optional.of(query.withIds(ids, ids.size()));
        });
    }

    /** Every remembered replay and discard, newest first. */
    public CompletionStage<List<DeadLetters.Operation>> audit(Optional<String> integration) {
        return this.<InboxPartition.Audit>askAll(integration, InboxPartition.GetAudit::new).thenApply(audits -> audits.stream()
                .flatMap(a -> a.operations().stream())
                .sorted(Comparator.comparingLong(DeadLetters.Operation::at).reversed())
                .toList());
    }

    private static List<DeadLetters.Selected> selected(List<DeadLetters.Applied> applied) {
        return applied.stream().flatMap(a -> a.selected().stream()).toList();
    }

    private <R> CompletionStage<List<R>> askAll(Optional<String> integration, Function<ActorRef<R>, InboxPartition.Command> message) {
        return partitions.askAll(integration, message);
    }
}
