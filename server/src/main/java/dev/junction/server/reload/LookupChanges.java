package dev.junction.server.reload;

import dev.junction.server.lookup.LookupTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** What a reload changed in the lookup tables, one line each, for its report. */
final class LookupChanges {
    private LookupChanges() {}

    static List<String> between(Map<String, LookupTable> before, Map<String, LookupTable> after) {
        TreeSet<String> names = new TreeSet<>(before.keySet());
        names.addAll(after.keySet());
        List<String> changes = new ArrayList<>();
        for (String name : names) {
            LookupTable was = before.get(name);
            LookupTable is = after.get(name);
            if (was == null) {
                changes.add("lookup " + name + ": added as version " + is.version() + " (" + is.rows().size() + " keys)");
            } else if (is == null) {
                changes.add("lookup " + name + ": removed");
            } else if (!was.version().equals(is.version())) {
                changes.add("lookup " + name + ": version " + was.version() + " -> " + is.version() + " (" + is.rows().size() + " keys)");
            }
        }
        return changes;
    }
}
