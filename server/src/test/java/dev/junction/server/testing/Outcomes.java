package dev.junction.server.testing;

import dev.junction.server.inbox.InboxPartition;
import dev.junction.server.inbox.Settlement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/** Reads the persisted settlements of an integration back from the journal, as an operator's query would. */
public final class Outcomes {
    private Outcomes() {}

    /** Waits until {@code messageId} of {@code integration} is settled in the journal, and returns its settlement. */
    public static Settlement await(ActorSystem<?> system, String integration, int partitions, String messageId) {
        Settlement[] found = new Settlement[1];
        Await.until(Duration.ofSeconds(15), () -> {
            try {
                found[0] = read(system, integration, partitions).get(messageId);
                return found[0] != null;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, () -> messageId + " not settled");
        return found[0];
    }

    /** Every settlement persisted for {@code integration}, by message id. */
    public static Map<String, Settlement> read(ActorSystem<?> system, String integration, int partitions) throws Exception {
        JdbcReadJournal journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
        Map<String, Settlement> result = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            String pid = InboxPartition.TYPE_KEY.name() + "|" + InboxPartition.entityId(integration, p);
            List<Object> events = journal.currentEventsByPersistenceId(pid, 0, Long.MAX_VALUE)
                    .map(e -> e.event())
                    .runWith(Sink.seq(), system)
                    .toCompletableFuture().get(Duration.ofSeconds(30).toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            for (Object event : events) {
                if (event instanceof InboxPartition.Settled settled) {
                    settled.settlements().forEach(s -> result.put(s.messageId(), s));
                }
            }
        }
        return result;
    }
}
