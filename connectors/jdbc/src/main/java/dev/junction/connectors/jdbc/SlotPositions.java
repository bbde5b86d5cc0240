package dev.junction.connectors.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.connectors.api.PositionStore;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The cdc source's position tied to its slot: stored as {@code {"slot": <name>, "offsets": <Debezium's offsets>}}, and read
 * as absent when it was written for another slot. So a source given a new slot starts from that slot's position, the
 * operator's way to go on after a slot was dropped (Debezium refuses to resume from an offset the slot no longer has).
 */
final class SlotPositions implements PositionStore {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PositionStore journal;
    private final String slot;

    SlotPositions(PositionStore journal, String slot) {
        this.journal = journal;
        this.slot = slot;
    }

    @Override
    public CompletionStage<Optional<String>> load() {
        return journal.load().thenApply(stored -> stored.flatMap(this::offsetsOfThisSlot));
    }

    @Override
    public CompletionStage<Void> commit(String offsets) {
        try {
            return journal.commit(JSON.createObjectNode().put("slot", slot).set("offsets", JSON.readTree(offsets)).toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("the offsets to commit are not JSON", e);
        }
    }

    private Optional<String> offsetsOfThisSlot(String stored) {
        try {
            JsonNode position = JSON.readTree(stored);
            return slot.equals(position.path("slot").asText()) ? Optional.of(position.path("offsets").toString()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
