package dev.junction.connectors.file;

import com.typesafe.config.Config;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Resolves the paths of sources and targets below their system's {@code root}. A path in a source or target block may not
 * leave the root: that keeps one system's configuration from reaching another's files. The check is lexical (it does not
 * follow symbolic links); a link placed inside the root on purpose is the operator's choice.
 */
final class SystemRoot {

    /** Why {@link #isInside} refused a path, in the words {@code ConfigProblem} reports. */
    static final String NOT_INSIDE = "must be a relative path inside the system's root (no leading /, no ..)";

    private SystemRoot() {}

    /** True when {@code relative} names something below the root, lexically: not absolute, not climbing out with {@code ..}. */
    static boolean isInside(String relative) {
        if (relative.isBlank()) {
            return false;
        }
        try {
            Path path = Path.of(relative);
            Path normal = path.normalize();
            return !path.isAbsolute() && path.getRoot() == null && !normal.toString().isEmpty() && !normal.startsWith("..");
        } catch (InvalidPathException e) {
            return false;
        }
    }

    /**
     * The absolute, normalised path of {@code relative} below the root of {@code systemConfig}, itself resolved against
     * {@code configDirectory}. Throws {@link IllegalArgumentException} when the path leaves the root; validation has already
     * refused such a path, so that means a caller skipped validation.
     */
    static Path resolve(Config systemConfig, Path configDirectory, String relative) {
        Path root = root(systemConfig, configDirectory);
        Path resolved = root.resolve(relative).normalize();
        if (!isInside(relative) || !resolved.startsWith(root)) {
            throw new IllegalArgumentException(relative + " " + NOT_INSIDE + " " + root);
        }
        return resolved;
    }

    /**
     * {@code relative} below the system's root as written, normalised but not made absolute (no configuration directory is
     * known during validation): two systems with relative roots of one configuration compare correctly, an absolute and a
     * relative spelling of the same directory do not.
     */
    static String lexical(Config systemConfig, String relative) {
        String root = FileConnector.ROOT.get(FileConnector.SYSTEM_SPEC.withDefaults(systemConfig), String.class::cast);
        return Path.of(root).resolve(relative).normalize().toString();
    }

    private static Path root(Config systemConfig, Path configDirectory) {
        // the SPI promises validated system settings but not filled-in defaults, so apply ours here
        Config system = FileConnector.SYSTEM_SPEC.withDefaults(systemConfig);
        String root = FileConnector.ROOT.get(system, String.class::cast);
        return configDirectory.toAbsolutePath().resolve(root).normalize();
    }
}
