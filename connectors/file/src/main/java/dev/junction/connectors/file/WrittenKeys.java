package dev.junction.connectors.file;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * What a JSON Lines file already holds, read once when the sink opens it: the idempotency keys written before (by this
 * process or an earlier one), and whether the file ends in the middle of a line.
 *
 * <p>A file ends mid-line when a crash interrupted a write. Such a torn line is ignored if it does not parse (its record was
 * never confirmed, so the server sends it again) and counted if it does (only the newline was lost). Either way the next write
 * must start on a fresh line. Lines that do not parse elsewhere in the file are earlier torn lines and are ignored the same way.
 *
 * @param keys           every idempotency key found in the file; a mutable set the sink goes on adding to
 * @param endsMidLine    true when the last byte is not a newline
 * @param unreadableLines how many non-blank lines held no key (torn writes, or lines someone else wrote)
 */
record WrittenKeys(Set<String> keys, boolean endsMidLine, int unreadableLines) {

    /** Reads {@code file}; a file that does not exist yet holds nothing. Blocking: call on the blocking executor only. */
    static WrittenKeys read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return new WrittenKeys(new HashSet<>(), false, 0);
        }
        Set<String> keys = new HashSet<>();
        int unreadable = 0;
        // InputStreamReader replaces malformed UTF-8 instead of throwing: a torn line may end inside a multi-byte character
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                Optional<String> key = JsonlLine.keyOf(line);
                if (key.isPresent()) {
                    keys.add(key.get());
                } else if (!line.isBlank()) {
                    unreadable++;
                }
            }
        }
        return new WrittenKeys(keys, !endsWithNewline(file), unreadable);
    }

    private static boolean endsWithNewline(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size == 0) {
                return true;
            }
            ByteBuffer last = ByteBuffer.allocate(1);
            channel.read(last, size - 1);
            return last.get(0) == '\n';
        }
    }
}
