package dev.junction.server.inbox;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Message ids: UUID version 7 (RFC 9562), so ids sort by the time they were issued. Random bits come from
 * {@link ThreadLocalRandom}: ids must be unique, not unguessable, and 74 random bits per millisecond make a clash negligible.
 */
public final class MessageIds {
    private MessageIds() {}

    public static String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long millis = System.currentTimeMillis();
        long msb = (millis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
