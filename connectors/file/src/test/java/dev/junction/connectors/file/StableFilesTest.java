package dev.junction.connectors.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StableFilesTest {

    @Test
    void aFileIsTakenOnlyOnceItIsUnchangedAcrossTwoListings(@TempDir Path dir) throws Exception {
        StableFiles files = new StableFiles(dir, "*.json");
        Path a = Files.writeString(dir.resolve("a.json"), "{\"a\":");
        assertEquals(List.of(), files.poll(), "first sighting: maybe still being written");

        Files.writeString(a, "{\"a\":1}");
        assertEquals(List.of(), files.poll(), "grew since the last listing");
        assertEquals(List.of(a), files.poll());
    }

    @Test
    void hiddenFilesDirectoriesAndOtherNamesAreNeverTaken(@TempDir Path dir) throws Exception {
        StableFiles files = new StableFiles(dir, "*.json");
        Files.writeString(dir.resolve(".partial.json"), "{}");
        Files.writeString(dir.resolve("notes.txt"), "{}");
        Files.createDirectories(dir.resolve("sub.json"));
        Path b = Files.writeString(dir.resolve("b.json"), "{}");
        Path a = Files.writeString(dir.resolve("a.json"), "{}");
        files.poll();
        assertEquals(List.of(a, b), files.poll(), "sorted by name");
    }
}
