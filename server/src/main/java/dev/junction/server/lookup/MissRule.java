package dev.junction.server.lookup;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What {@code lookup(table, key)} gives when the table has no row for the key, as a step declares it with
 * {@code on-lookup-miss}: never a silent wrong value.
 */
public sealed interface MissRule {
    /** {@code on-lookup-miss = dead-letter} (the default): the message is dead-lettered naming the table and the key. */
    record DeadLetter() implements MissRule {}

    /** {@code on-lookup-miss = null}: the function gives null, which the mapping or predicate handles. */
    record Null() implements MissRule {}

    /** {@code on-lookup-miss { default = ... }}: the function gives this value. */
    record Default(JsonNode value) implements MissRule {}

    MissRule DEAD_LETTER = new DeadLetter();
}
