package dev.junction.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A setting kept in versions, each a file: the current one under its own key, the earlier ones as
 * {@code earlier-versions { 1 = "…v1…", 2 = "…v2…" }} below it. A map step's mappings and a channel's schemas are read so.
 */
final class VersionedFiles {
    static final String EARLIER = "earlier-versions";

    /** Reads the file of one version at {@code key} of {@code block}; null when it cannot (the problem reported). */
    interface Reader<T> {
        T read(Config block, String key, int version, String path);
    }

    private VersionedFiles() {}

    /**
     * Every version of the setting at {@code path}: {@code currentKey}'s file as version {@code current}, and each earlier one.
     * Null when any could not be read; every problem is reported with its path.
     *
     * @param kind    what the files are, for the messages ("mapping", "schema")
     * @param example a file name for the message about a malformed {@code earlier-versions}
     */
    static <T> SortedMap<Integer, T> read(Config block, String currentKey, int current, String path, String kind, String example,
                                          Problems problems, Reader<T> reader) {
        SortedMap<Integer, T> versions = new TreeMap<>();
        T now = reader.read(block, currentKey, current, path + "." + currentKey);
        boolean complete = now != null;
        if (now != null) {
            versions.put(current, now);
        }
        if (!block.hasPath(EARLIER)) {
            return complete ? versions : null;
        }
        if (block.getValue(EARLIER).valueType() != ConfigValueType.OBJECT) {
            problems.at(block, EARLIER, path + "." + EARLIER, "must be an object of version = file, e.g. { 1 = \"" + example + "\" }");
            return null;
        }
        Config earlier = block.getConfig(EARLIER);
        for (String key : block.getObject(EARLIER).keySet()) {
            String at = path + "." + EARLIER + "." + ConfigLoader.quoted(key);
            Integer version = key.matches("[1-9][0-9]{0,8}") ? Integer.valueOf(key) : null;
            if (version == null || version >= current) {
                problems.at(earlier, key, at, "must be a version number below the current version " + current);
                complete = false;
            } else if (earlier.getValue(key).valueType() != ConfigValueType.STRING) {
                problems.at(earlier, key, at, "must be the " + kind + " file of version " + key);
                complete = false;
            } else {
                T old = reader.read(earlier, key, version, at);
                complete &= old != null;
                if (old != null) {
                    versions.put(version, old);
                }
            }
        }
        return complete ? versions : null;
    }
}
