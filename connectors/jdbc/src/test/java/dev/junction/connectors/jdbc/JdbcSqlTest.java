package dev.junction.connectors.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The SQL the connector writes: names checked and quoted per database, upserts per dialect, named parameters, key rules. */
class JdbcSqlTest {

    @Test
    void onlyPlainNamesPassAndEachPartIsQuoted() {
        assertTrue(Dialect.isName("public.outbox", true));
        assertFalse(Dialect.isName("public.outbox", false));
        for (String bad : List.of("", "1x", "a b", "a;drop table x", "a\"b", "a.b.c", "a-b")) {
            assertFalse(Dialect.isName(bad, true), bad);
        }
        assertEquals("\"public\".\"outbox\"", Dialect.POSTGRESQL.quote("public.outbox"));
        assertEquals("`orders`", Dialect.MARIADB.quote("orders"));
        assertThrows(IllegalArgumentException.class, () -> Dialect.POSTGRESQL.quote("x\"; drop table y; --"));
    }

    @Test
    void anUpsertUpdatesTheColumnsThatAreNotKeys() {
        assertEquals("INSERT INTO \"orders\" (\"id\", \"total\") VALUES (?, ?) ON CONFLICT (\"id\") DO UPDATE SET \"total\" = EXCLUDED.\"total\"",
                Dialect.POSTGRESQL.insert("orders", List.of("id", "total"), List.of("id"), true));
        assertEquals("INSERT INTO `orders` (`id`, `total`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `total` = VALUES(`total`)",
                Dialect.MARIADB.insert("orders", List.of("id", "total"), List.of("id"), true));
        assertEquals("INSERT INTO \"orders\" (\"id\") VALUES (?) ON CONFLICT (\"id\") DO NOTHING",
                Dialect.POSTGRESQL.insert("orders", List.of("id"), List.of("id"), true));
        assertEquals("INSERT INTO \"orders\" (\"id\") VALUES (?)", Dialect.POSTGRESQL.insert("orders", List.of("id"), List.of(), false));
    }

    @Test
    void namedParametersBecomePositionalLeavingCastsAndLiteralsAlone() {
        NamedStatement s = NamedStatement.parse("INSERT INTO a (x, y, z) VALUES (:x, :y::numeric, ':not') ON CONFLICT DO UPDATE SET x = :x");
        assertEquals("INSERT INTO a (x, y, z) VALUES (?, ?::numeric, ':not') ON CONFLICT DO UPDATE SET x = ?", s.sql());
        assertEquals(List.of("x", "y", "x"), s.parameters());
    }

    @Test
    void theOutboxKeyIsAColumnOrAPointerIntoThePayload() {
        assertEquals("column:event_id", OutboxSettings.parseKey("column:event_id").spec());
        assertEquals("json:/event/id", OutboxSettings.parseKey("json:/event/id").spec());
        assertThrows(IllegalArgumentException.class, () -> OutboxSettings.parseKey("column:event id"));
        assertThrows(IllegalArgumentException.class, () -> OutboxSettings.parseKey("header:Idempotency-Key"));
        assertThrows(IllegalArgumentException.class, () -> OutboxSettings.parseKey("json:id"));
    }

    @Test
    void columnValuesArePointersOrTheRecordsOwn() {
        for (String good : List.of("/total", "/order/lines/0/sku", "$key", "$message-id", "$payload", "$integration")) {
            assertTrue(ColumnValue.isValid(good), good);
        }
        for (String bad : List.of("total", "", "$other", "json:/total")) {
            assertFalse(ColumnValue.isValid(bad), bad);
        }
    }
}
