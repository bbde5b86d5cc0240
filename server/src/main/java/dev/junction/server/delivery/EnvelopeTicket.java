package dev.junction.server.delivery;

import dev.junction.server.inbox.Withdrawal;
import dev.junction.server.system.Ticket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One envelope's delivery to its targets, as its calls carry it: withdrawn as a whole while none of its attempts has started,
 * never once one has (its other targets' attempts then go on, so an envelope is never half delivered by a partition that
 * hands off).
 */
final class EnvelopeTicket implements Ticket {
    private static final int NONE_STARTED = 0;
    private static final int STARTED = 1;
    private static final int WITHDRAWN = 2;

    private final Withdrawal withdrawal;
    private final AtomicInteger state = new AtomicInteger(NONE_STARTED);

    EnvelopeTicket(Withdrawal withdrawal) {
        this.withdrawal = withdrawal;
    }

    @Override
    public boolean withdrawIfAsked() {
        if (withdrawal.asked()) {
            state.compareAndSet(NONE_STARTED, WITHDRAWN);
        }
        return state.get() == WITHDRAWN;
    }

    @Override
    public boolean start() {
        if (withdrawIfAsked()) {
            return false;
        }
        state.compareAndSet(NONE_STARTED, STARTED);
        return state.get() == STARTED;
    }

    boolean withdrawn() {
        return state.get() == WITHDRAWN;
    }
}
