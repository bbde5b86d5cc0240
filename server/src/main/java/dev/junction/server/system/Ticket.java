package dev.junction.server.system;

/**
 * What a delivery's calls carry so that the delivery can be withdrawn while none of its attempts has started: a partition that
 * hands off gives up the envelopes still waiting for a system (behind a full bulkhead, a pause, an open breaker) instead of
 * waiting for them, and the partition's next owner delivers them, once. Thread-safe: the systems of one envelope's targets ask
 * it from their own threads, and an envelope is withdrawn as a whole or not at all.
 */
public interface Ticket {

    /** A ticket that is never withdrawn. */
    Ticket NONE = new Ticket() {
        @Override
        public boolean withdrawIfAsked() {
            return false;
        }

        @Override
        public boolean start() {
            return true;
        }
    };

    /** True when the delivery is withdrawn: withdrawal was asked before any of its attempts started (or already done). */
    boolean withdrawIfAsked();

    /** Called when an attempt is about to start; false when the delivery was withdrawn, and the attempt must not be made. */
    boolean start();
}
