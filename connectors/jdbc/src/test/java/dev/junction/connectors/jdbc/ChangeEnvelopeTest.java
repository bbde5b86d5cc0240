package dev.junction.connectors.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A Debezium change event (key and value as JSON without schemas) as the message Junction carries. */
class ChangeEnvelopeTest {
    private static final String UPDATE = """
            {"before":{"id":42,"status":"new"},"after":{"id":42,"status":"paid"},
             "source":{"version":"3.6.1.Final","connector":"postgresql","name":"junction","ts_ms":1796112957267,
                       "snapshot":"false","db":"shop","sequence":"[\\"1\\",\\"2\\"]","schema":"public","table":"orders",
                       "txId":771,"lsn":23837512,"xmin":null},
             "transaction":null,"op":"u","ts_ms":1796112999999}""";

    @Test
    void aChangeBecomesItsEnvelopeKeyedByRowAndLsn() {
        ChangeEnvelope change = ChangeEnvelope.of("{\"id\":42}", UPDATE);
        assertEquals("public.orders/42@0/16BBB48", change.key());
        assertEquals("{\"op\":\"update\",\"table\":\"public.orders\",\"key\":{\"id\":42},\"row\":\"public.orders/42\","
                + "\"lsn\":\"0/16BBB48\",\"txId\":771,\"committedAt\":\"2026-12-01T08:15:57.267Z\","
                + "\"before\":{\"id\":42,\"status\":\"new\"},\"after\":{\"id\":42,\"status\":\"paid\"}}",
                new String(change.body(), StandardCharsets.UTF_8), "no processing time: the same bytes each time it is read");
        assertEquals("public.orders/42", change.headers().get("cdc-row"));
        assertEquals("update", change.headers().get("cdc-op"));
    }

    @Test
    void compositeAndUnusualKeysStayPrintableAsciiAndShort() {
        assertEquals("eu/a%2Fb/7", ChangeEnvelope.keyText(json("{\"region\":\"eu\",\"code\":\"a/b\",\"n\":7}")));
        assertEquals("public.t/K%C3%B6ln%20x@0/1", ChangeEnvelope.idempotencyKey("public.t", "public.t/Köln x", "0/1"));
        String longRow = "public.t/" + "x".repeat(300);
        String key = ChangeEnvelope.idempotencyKey("public.t", longRow, "16/B374D848");
        assertTrue(key.matches("public\\.t/sha256:[0-9a-f]{64}@16/B374D848"), key);
        assertEquals("16/B374D848", ChangeEnvelope.lsnText((0x16L << 32) + 0xB374D848L));
    }

    @Test
    void whatIsNotARowChangeOfAKeyedTableIsRefusedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ChangeEnvelope.of(null, UPDATE)).getMessage()
                .contains("public.orders has no primary key"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ChangeEnvelope.of("{\"id\":1}", UPDATE.replace("\"op\":\"u\"", "\"op\":\"t\"")))
                .getMessage().contains("not a row change"));
    }

    private static com.fasterxml.jackson.databind.JsonNode json(String text) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
