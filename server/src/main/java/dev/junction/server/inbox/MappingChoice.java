package dev.junction.server.inbox;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Which mapping versions a delivery uses. Persisted (in replays and snapshots) as its {@link #wire()} name, the strings the
 * events have always held.
 */
public enum MappingChoice {
    /** Those of the revision the message was accepted under: every first delivery. */
    AS_ACCEPTED(""),
    /** Those a replayed dead letter was first mapped with, pinned even if the integration moved on. */
    ORIGINAL("original"),
    /** The integration's current revision. */
    CURRENT("current");

    private final String wire;

    MappingChoice(String wire) {
        this.wire = wire;
    }

    /** The name in events, snapshots and the admin API ({@code original}, {@code current}; empty for {@link #AS_ACCEPTED}). */
    @JsonValue
    public String wire() {
        return wire;
    }

    /** The choice named {@code wire}; {@link #AS_ACCEPTED} for null (events written before choices were recorded). */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static MappingChoice fromWire(String wire) {
        if (wire == null) {
            return AS_ACCEPTED;
        }
        for (MappingChoice choice : values()) {
            if (choice.wire.equals(wire)) {
                return choice;
            }
        }
        throw new IllegalArgumentException("unknown mapping choice: " + wire);
    }
}
