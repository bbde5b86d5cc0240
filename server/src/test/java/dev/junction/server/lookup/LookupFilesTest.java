package dev.junction.server.lookup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a table file reads: CSV quoting, key to text or to an object, JSON, and every problem with its line. */
class LookupFilesTest {

    private static LookupFiles.Parsed read(String file, String text) {
        return LookupFiles.read("t", Path.of(file), text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void csvWithQuotesAndSeveralColumnsGivesObjects() {
        LookupTable table = read("t.csv", "sku,name,warehouse\r\nL1,\"Lamp, brass\",\"A \"\"north\"\"\"\n\nL2,\"two\nlines\",B\n").table();
        assertEquals("{\"name\":\"Lamp, brass\",\"warehouse\":\"A \\\"north\\\"\"}", table.rows().get("L1").toString());
        assertEquals("two\nlines", table.rows().get("L2").get("name").asText());
        assertEquals(12, table.version().length());
    }

    @Test
    void jsonIsKeyToAnyValueAndADuplicateKeyIsNamedWithItsLine() {
        assertEquals("{\"a\":1}", read("t.json", "{\"S1\": {\"a\": 1}, \"S2\": \"x\"}").table().rows().get("S1").toString());
        LookupFiles.Parsed duplicate = read("t.json", "{\"S1\": 1,\n \"S1\": 2}");
        assertNull(duplicate.table());
        assertEquals(1, duplicate.problems().size());
        assertEquals(true, duplicate.problems().get(0).startsWith("line 2: Duplicate field 'S1'"), duplicate.problems()::toString);
        assertEquals(List.of("line 1: must be a JSON object of key to value, e.g. {\"S1\": \"4711\"}"), read("t.json", "[1]").problems());
    }

    @Test
    void everyProblemOfACsvIsReportedWithItsLine() {
        LookupFiles.Parsed parsed = read("t.csv", "k,v\na,1\n,2\na,3\nb,1,2\nc,\"open\n");
        assertEquals(List.of("line 6: a quote opened here is never closed"), parsed.problems());
        parsed = read("t.csv", "k,v\na,1\n,2\na,3\nb,1,2\n");
        assertEquals(List.of("line 3: the key (column k) is empty", "line 4: duplicate key 'a' (first on line 2)",
                "line 5: 3 column(s), the header has 2"), parsed.problems());
        assertEquals(List.of("line 1: column 2 needs a name of its own (it is 'k')"), read("t.csv", "k,k\na,1\n").problems());
    }
}
