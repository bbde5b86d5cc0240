package dev.junction.connectors.api;

import java.time.Duration;

/** How the inbox answered one {@link InboundMessage}. */
public sealed interface IngestResult {

    /** True when the message is in the journal (new or seen before): the source may acknowledge its upstream. */
    default boolean isDurable() {
        return this instanceof Accepted || this instanceof Duplicate;
    }

    /** Committed to the journal under a new message id. */
    record Accepted(String messageId) implements IngestResult {}

    /** The key was accepted before with the same body: nothing new is delivered. */
    record Duplicate(String messageId) implements IngestResult {}

    /** The key was accepted before with a different body: the message is refused. */
    record Conflict(String messageId) implements IngestResult {}

    /** The inbox cannot take the message now (journal down, overloaded): try again after {@code retryAfter}. */
    record Unavailable(String reason, Duration retryAfter) implements IngestResult {}
}
