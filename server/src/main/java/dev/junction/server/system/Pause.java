package dev.junction.server.system;

import dev.junction.server.serialization.CborSerializable;

/**
 * Published to every node when a system asked for a pause (429 or 503 with {@code Retry-After}), so the whole cluster backs
 * off, not only the node that was told.
 *
 * @param system the system's name
 * @param millis how long to pause from receipt (a duration, so clocks that disagree do not matter)
 * @param reason the answer that asked for it
 */
public record Pause(String system, long millis, String reason) implements CborSerializable {}
