package dev.junction.server.chaos;

import java.util.Arrays;
import java.util.Optional;

/**
 * The named fault profiles of {@code chaos --scenario}. A target fault is applied by every {@link StandIn} during the first half
 * of the run ({@link #faultWindow}) and lifted after, so the report shows both the fault and the recovery; an input fault
 * changes what the {@link Driver} sends.
 */
public enum Scenario {
    BASELINE("baseline", "no fault: the stand-in answers 200"),
    TARGET_DOWN("target-down", "the target refuses connections during the first half of the run, then answers 200"),
    STORM_429("429-storm", "the target answers 429 with Retry-After: 1 during the first half of the run"),
    SLOW("slow", "the target answers only after its call-timeout + 1 s during the first half of the run"),
    PERMANENT_4XX("permanent-4xx", "1 message in 100 is answered 400 on every attempt (expected: dead-lettered, never retried forever)"),
    BAD_INPUT("bad-input", "1 message in 10 has a required field null, missing or of the wrong type"),
    DUPLICATES("duplicates", "1 message in 5 is delivered again by the source with the same key and body"),
    JOURNAL_DOWN("journal-down", "the journal database refuses connections (and open ones are cut) during the first half of the run; "
            + "PostgreSQL only (--journal)");

    private final String wire;
    private final String description;

    Scenario(String wire, String description) {
        this.wire = wire;
        this.description = description;
    }

    public String wire() {
        return wire;
    }

    public String description() {
        return description;
    }

    /** True when a fault lasts a while (the first half of the run): a stand-in's, or the journal's. */
    boolean faultsTarget() {
        return this == TARGET_DOWN || this == STORM_429 || this == SLOW || this == JOURNAL_DOWN;
    }

    /** How long a target fault lasts: the first half of the run. */
    static java.time.Duration faultWindow(java.time.Duration run) {
        return run.dividedBy(2);
    }

    static Optional<Scenario> byWire(String name) {
        return Arrays.stream(values()).filter(s -> s.wire.equals(name)).findFirst();
    }

    static String names() {
        return String.join(", ", Arrays.stream(values()).map(Scenario::wire).toList());
    }
}
