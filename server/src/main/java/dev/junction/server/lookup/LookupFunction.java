package dev.junction.server.lookup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.schibsted.spt.data.jslt.Function;
import java.util.Map;

/**
 * JSLT's {@code lookup(table, key)}: the table's value for the key, or what the step's {@link MissRule} says on a miss. One
 * instance per compiled expression, bound to the tables of the configuration it was compiled with, so a reload's new tables
 * reach new revisions only. A key that is a number is looked up as its text ({@code 7} finds the row {@code "7"}). Thread-safe.
 */
public final class LookupFunction implements Function {
    public static final String NAME = "lookup";
    private final Map<String, LookupTable> tables;
    private final MissRule onMiss;

    public LookupFunction(Map<String, LookupTable> tables, MissRule onMiss) {
        this.tables = Map.copyOf(tables);
        this.onMiss = onMiss;
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public int getMinArguments() {
        return 2;
    }

    @Override
    public int getMaxArguments() {
        return 2;
    }

    @Override
    public JsonNode call(JsonNode input, JsonNode[] arguments) {
        String name = arguments[0] == null || !arguments[0].isTextual() ? String.valueOf(arguments[0]) : arguments[0].textValue();
        LookupTable table = tables.get(name);
        if (table == null) {
            throw new LookupMiss("lookup table " + name + " is not configured (configured: "
                    + String.join(", ", new java.util.TreeSet<>(tables.keySet())) + ")");
        }
        JsonNode key = arguments[1];
        JsonNode found = key != null && key.isValueNode() && !key.isNull() ? table.rows().get(key.asText()) : null;
        if (found != null) {
            return found;
        }
        if (onMiss instanceof MissRule.Null) {
            return NullNode.instance;
        }
        if (onMiss instanceof MissRule.Default d) {
            return d.value();
        }
        throw new LookupMiss("lookup table " + name + " (version " + table.version() + ") has no key "
                + (key == null || key.isMissingNode() ? "(missing)" : key.toString()));
    }
}
