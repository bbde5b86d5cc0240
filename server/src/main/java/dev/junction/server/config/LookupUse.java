package dev.junction.server.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.schibsted.spt.data.jslt.Function;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.junction.server.lookup.LookupFunction;
import dev.junction.server.lookup.LookupTable;
import dev.junction.server.lookup.MissRule;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lookup tables as the JSLT of one integration uses them: the {@code lookup} function each expression is compiled with,
 * the step's {@code on-lookup-miss} rule, and which tables the integration names, so that its revision covers their content
 * and a table name that is not configured is a load-time problem. Used while one configuration is read; not thread-safe.
 */
final class LookupUse {
    static final String ON_MISS = "on-lookup-miss";
    private static final Pattern CALL = Pattern.compile("\\blookup\\s*\\(\\s*\"([^\"\\\\]*)\"");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, LookupTable> tables;
    private final Set<String> declared;
    private final Problems problems;
    private Set<String> used = new TreeSet<>();

    /** {@code declared}: every name under {@code junction.lookups}, those whose table has problems of its own included. */
    LookupUse(Map<String, LookupTable> tables, Set<String> declared, Problems problems) {
        this.tables = Map.copyOf(tables);
        this.declared = Set.copyOf(declared);
        this.problems = problems;
    }

    /** Starts collecting the tables of another integration. */
    void startIntegration() {
        used = new TreeSet<>();
    }

    /** The tables the current integration's JSLT names, each as of this configuration. */
    List<LookupTable> used() {
        return used.stream().map(tables::get).toList();
    }

    /** The functions to compile an expression with, {@code lookup} giving what {@code rule} says on a miss. */
    Collection<Function> functions(MissRule rule) {
        return List.of(new LookupFunction(tables, rule));
    }

    /**
     * Notes the tables {@code source} names in its {@code lookup("...", ...)} calls; a name that is not configured is a problem
     * at {@code block.key} with the line in {@code source}. Returns false when there was one.
     */
    boolean check(String source, Config block, String key, String path) {
        boolean ok = true;
        Matcher call = CALL.matcher(source);
        while (call.find()) {
            String name = call.group(1);
            if (tables.containsKey(name)) {
                used.add(name);
            } else if (declared.contains(name)) {
                ok = false; // the table's own problems are reported where it is declared
            } else {
                int line = (int) source.substring(0, call.start()).chars().filter(c -> c == '\n').count() + 1;
                problems.at(block, key, path, "line " + line + ": lookup table '" + name + "' is not configured (configured: "
                        + String.join(", ", new TreeSet<>(declared)) + "; declare it under junction.lookups)");
                ok = false;
            }
        }
        return ok;
    }

    /**
     * The step's {@code on-lookup-miss}: {@code dead-letter} (also when absent), {@code null}, or {@code { default = <value> }};
     * null after adding a problem.
     */
    MissRule rule(Config block, String path) {
        if (!block.hasPathOrNull(ON_MISS)) {
            return MissRule.DEAD_LETTER;
        }
        ConfigValue value = block.root().get(ON_MISS);
        String at = path + "." + ON_MISS;
        if (value.valueType() == ConfigValueType.NULL
                || (value.valueType() == ConfigValueType.STRING && value.unwrapped().equals("null"))) {
            return new MissRule.Null();
        }
        if (value.valueType() == ConfigValueType.STRING && value.unwrapped().equals("dead-letter")) {
            return MissRule.DEAD_LETTER;
        }
        if (value.valueType() == ConfigValueType.OBJECT && block.getObject(ON_MISS).keySet().equals(Set.of("default"))) {
            try {
                return new MissRule.Default(JSON.readTree(block.getObject(ON_MISS).get("default")
                        .render(ConfigRenderOptions.concise().setJson(true))));
            } catch (java.io.IOException e) {
                problems.at(value, at, "the default is not a JSON value: " + e.getMessage());
                return null;
            }
        }
        problems.at(value, at, "must be null, dead-letter or { default = <value> }");
        return null;
    }
}
