package dev.junction.server.inbox;

import java.util.concurrent.CompletionException;

/**
 * A partition's request, made when it hands off, that its deliveries which have not made an attempt yet be given up: they
 * stay pending and the partition's next owner delivers them. One per delivery stream; the delivery layer checks it before
 * every attempt (and the systems while the attempts wait), so the partition waits only for attempts already made.
 */
public final class Withdrawal {
    /** How a withdrawn delivery's stage ends (no stack trace: it is an answer, not an error). */
    public static final RuntimeException WITHDRAWN = new Withdrawn();

    private volatile boolean asked;

    void ask() {
        asked = true;
    }

    /** The partition hands off: deliveries with no attempt made yet are to be withdrawn. */
    public boolean asked() {
        return asked;
    }

    /** True when {@code failure} (possibly wrapped by a stage) says the delivery was withdrawn. */
    static boolean isWithdrawn(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return cause == WITHDRAWN;
    }

    private static final class Withdrawn extends RuntimeException {
        Withdrawn() {
            super("withdrawn: the partition hands off", null, false, false);
        }
    }
}
