package dev.junction.connectors.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A {@link ConfigField#stringMap} takes the user's own names with string values, and says precisely what else it refuses. */
class ConfigFieldMapTest {
    private static final ConfigSpec SPEC = ConfigSpec.of("test",
            ConfigField.stringMap("columns").required().description("columns")
                    .check((Map<String, String> m) -> !m.isEmpty(), "must name at least one column"));

    @Test
    void namesOfTheUsersOwnAreReadAsAMapSortedByName() {
        var block = ConfigFactory.parseString("columns { total = \"/total\", order_id = \"/orderNumber\", n = 3 }");
        assertEquals(List.of(), SPEC.validate(block, "t", Set.of()));
        Map<String, String> read = SPEC.fields().get(0).get(block, v -> (Map<?, ?>) v).entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(e -> (String) e.getKey(), e -> (String) e.getValue()));
        assertEquals(Map.of("order_id", "/orderNumber", "total", "/total", "n", "3"), read);
    }

    @Test
    void aNestedObjectAListOrAnEmptyMapIsRefusedAtItsPath() {
        for (String bad : List.of("columns { a { b = c } }", "columns = [a]", "columns = x", "columns {}")) {
            List<ConfigProblem> problems = SPEC.validate(ConfigFactory.parseString(bad), "t", Set.of());
            assertEquals(1, problems.size(), bad + ": " + problems);
            assertEquals("t.columns", problems.get(0).path());
            assertTrue(problems.get(0).reason().contains("names to strings") || problems.get(0).reason().contains("at least one"),
                    problems.get(0).reason());
        }
    }
}
