package dev.junction.server.chaos;

import com.typesafe.config.Config;
import java.util.concurrent.CompletableFuture;

/**
 * Hands a generated message to one kind of source the way its real sender would (a file in its folder, an item at the API it
 * polls, a message on its queue, a row in its outbox), always into a copy private to the run. One instance per source kind
 * serves every driven integration of that kind. The {@link Sent} it returns carries no answer (status 0, {@code problem}
 * {@link #PUT_IN} and where) until {@link Settler#accepted} finds the key in the admin API; one never found is lost.
 */
interface Feed extends AutoCloseable {
    /** What a put-in, not yet found, message's {@link Sent#problem} starts with; where it was put follows. */
    String PUT_IN = "put in, never accepted: ";

    /**
     * Makes the run's private copy of {@code d}'s source (a queue, a table) on its system, before the node starts; throws
     * {@link UsageException} when the system cannot be reached. Default: nothing to make.
     */
    default void open(Driven d) throws UsageException {}

    /** The user's settings with {@code d}'s source pointed at the run's private copy. Called once, before the node starts. */
    default Config adjust(Config all, Driven d) {
        return all;
    }

    /** Puts the message in; never throws (a failure is a {@link Sent} with status 0 and the reason). */
    CompletableFuture<Sent> put(Driven d, Inputs.Message message, String kind);

    /** Completes once the source has taken the message (before it is put in again for {@code duplicates}). */
    default CompletableFuture<Void> whenTaken(Driven d, Inputs.Message message) {
        return CompletableFuture.completedFuture(null);
    }

    /** Whether the source visibly refused what was put in at {@code where} (a directory's {@code .failed/}). */
    default boolean refused(Driven d, String where) {
        return false;
    }

    /** One line of the report's heading: where {@code d}'s messages are put. */
    String describe(Driven d);

    @Override
    default void close() {}

    /** A message put in at {@code where}, not yet found. */
    static Sent putIn(Driven d, Inputs.Message message, String kind, long sentAt, String where) {
        return new Sent(d.integration(), message.key(), kind, sentAt, -1, 0, null, PUT_IN + where);
    }

    /** A message that could not be put in (counted as unanswered). */
    static Sent notPutIn(Driven d, Inputs.Message message, String kind, long sentAt, String where, Exception e) {
        return new Sent(d.integration(), message.key(), kind, sentAt, -1, 0, null, "could not put in " + where + ": " + e);
    }
}
