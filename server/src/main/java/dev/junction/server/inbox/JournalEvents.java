package dev.junction.server.inbox;

import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Source;

/** The events of a partition's journal as they are now, read outside the partition (Pekko Persistence Query). Thread-safe. */
final class JournalEvents {
    private final ActorSystem<?> system;
    private volatile JdbcReadJournal journal;

    JournalEvents(ActorSystem<?> system) {
        this.system = system;
    }

    /** The events of {@code persistenceId} from {@code from} to {@code to} (inclusive), in order. */
    Source<EventEnvelope, NotUsed> between(String persistenceId, long from, long to) {
        if (journal == null) {
            journal = PersistenceQuery.get(system.classicSystem()).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
        }
        return journal.currentEventsByPersistenceId(persistenceId, Math.max(1, from), to);
    }

    ActorSystem<?> system() {
        return system;
    }
}
