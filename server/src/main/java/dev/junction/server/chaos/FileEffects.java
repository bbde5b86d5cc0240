package dev.junction.server.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The effects of the file target systems: each line the file connector wrote into the run's scratch directory
 * ({@code {"messageId","idempotencyKey","writtenAt",...}}) is one effect, entered in the {@link Ledger} once.
 */
final class FileEffects {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<Path, Integer> linesRead = new HashMap<>();

    /** Enters the lines written under {@code root} for {@code system} since the last call. */
    void collect(String system, Path root, Ledger ledger) {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                List<String> lines = Files.readAllLines(file);
                int from = linesRead.getOrDefault(file, 0);
                for (String line : lines.subList(Math.min(from, lines.size()), lines.size())) {
                    enter(system, line, ledger);
                }
                linesRead.put(file, lines.size());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the file target " + system + " at " + root, e);
        }
    }

    private static void enter(String system, String line, Ledger ledger) throws IOException {
        if (line.isBlank()) {
            return;
        }
        JsonNode written = JSON.readTree(line);
        if (written.path("idempotencyKey").isTextual()) {
            long at = written.path("writtenAt").isTextual() ? Instant.parse(written.get("writtenAt").asText()).toEpochMilli()
                    : System.currentTimeMillis();
            ledger.applied(system, written.get("idempotencyKey").asText(), written.path("messageId").asText(""), at);
        }
    }
}
