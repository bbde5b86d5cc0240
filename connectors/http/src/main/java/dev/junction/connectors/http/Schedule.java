package dev.junction.connectors.http;

import java.time.Duration;
import java.time.Instant;

/** When the runs of a poll or a batch start. Immutable. */
interface Schedule {

    /** When the next run starts, given that the last one ended (or the source started) at {@code now}; null: never again. */
    Instant next(Instant now, boolean first);

    /** Whether a run's window ends at its start (a batch), so the run record shows it; a poll's window is open. */
    boolean windowed();

    /** A poll: the first run at once, each next one {@code every} after the last ended. */
    static Schedule every(Duration every) {
        return new Schedule() {
            @Override
            public Instant next(Instant now, boolean first) {
                return first ? now : now.plus(every);
            }

            @Override
            public boolean windowed() {
                return false;
            }
        };
    }
}
