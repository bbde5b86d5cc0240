package dev.junction.server.system;

import com.fasterxml.jackson.annotation.JsonValue;

/** The states of a system's circuit breaker as operators see them. */
public enum BreakerState {
    CLOSED("closed"),
    /** Open, and its reset timeout passed: one probe call may go through. */
    HALF_OPEN("half-open"),
    OPEN("open"),
    /** The system's breaker is turned off ({@code circuit-breaker.enabled = off}). */
    DISABLED("disabled"),
    /** The system's actor did not answer (its connector is restarting). */
    UNKNOWN("unknown");

    private final String label;

    BreakerState(String label) {
        this.label = label;
    }

    @JsonValue
    @Override
    public String toString() {
        return label;
    }
}
