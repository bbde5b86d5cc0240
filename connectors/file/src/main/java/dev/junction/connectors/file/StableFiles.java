package dev.junction.connectors.file;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Lists the polled directory and keeps only files that are done being written. The rule (chosen over asking writers to
 * rename into place, because it needs nothing from them): a file is taken once its size and modification time are the same
 * in two consecutive listings, so a new file waits one poll interval. A writer that pauses longer than the interval in the
 * middle of a file can still be caught; such writers should write under a name the pattern does not match, or a hidden
 * {@code .name}, and rename when done. Hidden files and anything but regular files are never taken.
 *
 * <p>Not thread-safe: one listing at a time. The source's stream calls {@link #poll} from one stage, one poll after the
 * other, which also makes each poll see the previous one's memory.
 */
final class StableFiles {
    private record Seen(long size, FileTime modified) {}

    private final Path directory;
    private final String pattern;
    private Map<Path, Seen> previous = Map.of();

    StableFiles(Path directory, String pattern) {
        this.directory = directory;
        this.pattern = pattern;
    }

    /** The files unchanged since the previous listing, by name. Blocking: call on the blocking executor. */
    List<Path> poll() throws IOException {
        Map<Path, Seen> current = new HashMap<>();
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(directory, pattern)) {
            for (Path file : listing) {
                if (file.getFileName().toString().startsWith(".")) {
                    continue;
                }
                BasicFileAttributes attributes;
                try {
                    attributes = Files.readAttributes(file, BasicFileAttributes.class);
                } catch (java.nio.file.NoSuchFileException gone) {
                    continue; // moved or deleted between listing and stat
                }
                if (attributes.isRegularFile()) {
                    current.put(file, new Seen(attributes.size(), attributes.lastModifiedTime()));
                }
            }
        }
        List<Path> stable = new ArrayList<>();
        current.forEach((file, seen) -> {
            if (seen.equals(previous.get(file))) {
                stable.add(file);
            }
        });
        previous = current;
        stable.sort(null);
        return stable;
    }
}
