package dev.junction.connectors.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** What a queue source is told to do with each kind of message and each answer of the inbox. */
class IntakeTest {

    /** An inbox that answers every message with {@code answer} and records what it was given. */
    private static final class Inbox implements Ingestor {
        IngestResult answer = new IngestResult.Accepted("m-1");
        IngestResult rejectAnswer = new IngestResult.Accepted("d-1");
        final List<InboundMessage> ingested = new ArrayList<>();
        final List<UnusableMessage> rejected = new ArrayList<>();

        @Override
        public CompletionStage<IngestResult> ingest(InboundMessage message) {
            ingested.add(message);
            return CompletableFuture.completedFuture(answer);
        }

        @Override
        public CompletionStage<IngestResult> reject(UnusableMessage message) {
            rejected.add(message);
            return CompletableFuture.completedFuture(rejectAnswer);
        }
    }

    private final Inbox inbox = new Inbox();
    private final Intake intake = new Intake(inbox, KeyRule.parse("json:/id", Set.of()));

    private static Intake.Received received(String body) {
        return new Intake.Received(body.getBytes(StandardCharsets.UTF_8), "application/json", Map.of("topic", "t"),
                name -> Optional.empty(), name -> Optional.empty());
    }

    private Intake.Outcome take(String body) {
        return intake.take(received(body)).toCompletableFuture().join();
    }

    @Test
    void aMessageTheInboxHoldsIsAcknowledged() {
        assertInstanceOf(Intake.Outcome.Acknowledge.class, take("{\"id\":\"o-1\"}"));
        inbox.answer = new IngestResult.Duplicate("m-1");
        assertInstanceOf(Intake.Outcome.Acknowledge.class, take("{\"id\":\"o-1\"}"));
        assertEquals("o-1", inbox.ingested.get(0).idempotencyKey());
        assertEquals(Map.of("topic", "t"), inbox.ingested.get(0).headers());
    }

    @Test
    void aRefusalIsRetriedWithinTheBackOffBounds() {
        inbox.answer = new IngestResult.Unavailable("journal down", Duration.ofMinutes(1));
        assertEquals(new Intake.Outcome.Retry(Intake.MAX_BACKOFF), take("{\"id\":\"o-1\"}"));
        inbox.answer = new IngestResult.Unavailable("recovering", null);
        assertEquals(new Intake.Outcome.Retry(Intake.MIN_BACKOFF), take("{\"id\":\"o-1\"}"));
        inbox.answer = new IngestResult.Unavailable("busy", Duration.ofSeconds(2));
        assertEquals(new Intake.Outcome.Retry(Duration.ofSeconds(2)), take("{\"id\":\"o-1\"}"));
    }

    @Test
    void whatCannotBecomeAMessageIsUnusableAndNeverIngested() {
        Intake.Outcome notJson = take("not json");
        Intake.Outcome noKey = take("{\"other\":1}");
        inbox.answer = new IngestResult.Conflict("m-0");
        Intake.Outcome conflict = take("{\"id\":\"o-1\"}");
        assertEquals("invalid-body", ((Intake.Outcome.Unusable) notJson).errorClass());
        assertEquals("invalid-key", ((Intake.Outcome.Unusable) noKey).errorClass());
        assertEquals("conflict", ((Intake.Outcome.Unusable) conflict).errorClass());
        assertTrue(((Intake.Outcome.Unusable) conflict).reason().contains("m-0"), conflict::toString);
        assertEquals(1, inbox.ingested.size(), "only the conflicting message reached the inbox");
        assertEquals(List.of(), inbox.rejected, "recording is the source's choice, never done behind its back");
    }

    @Test
    void recordingAnUnusableMessageKeepsItsRawBytesAndIsAcknowledgedOnlyOnceDurable() {
        Intake.Outcome.Unusable unusable = new Intake.Outcome.Unusable("invalid-body", "the body is not JSON");
        assertInstanceOf(Intake.Outcome.Acknowledge.class, intake.record(unusable, received("not json")).toCompletableFuture().join());
        assertEquals("not json", new String(inbox.rejected.get(0).raw(), StandardCharsets.UTF_8));
        inbox.rejectAnswer = new IngestResult.Unavailable("journal down", Duration.ofSeconds(3));
        assertEquals(new Intake.Outcome.Retry(Duration.ofSeconds(3)), intake.record(unusable, received("not json")).toCompletableFuture().join());
    }
}
