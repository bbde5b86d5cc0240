package dev.junction.connectors.file;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.junction.connectors.api.InboundMessage;
import dev.junction.connectors.api.KeyRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a file of the polled directory into messages. A name ending in {@code .jsonl} or {@code .ndjson} holds one JSON
 * value per line (blank lines are skipped, line numbers count them); any other name holds one JSON value. Every problem in
 * the file is collected, not only the first, so one look at the error file is enough to fix it.
 *
 * <p>Files are read whole into memory: this source is for files of kilobytes to tens of megabytes, not for bulk exports.
 * Stateless and thread-safe; {@link #parse} blocks on disk reads, call it on the blocking executor.
 */
final class FileParser {
    static final String CONTENT_TYPE = "application/json";
    static final String FILE_NAME_HEADER = "file-name";

    // trailing tokens would otherwise be ignored: "{} garbage" must be an error, not a message
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** The native key: the file's name, {@code <name>#<line>} for a line of a JSON Lines file. */
    static final String FILE_NAME = "file-name";

    private final KeyRule keys;

    FileParser(KeyRule keys) {
        this.keys = keys;
    }

    ParsedFile parse(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String name = file.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        boolean perLine = lower.endsWith(".jsonl") || lower.endsWith(".ndjson");
        List<ParsedFile.Line> messages = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        if (perLine) {
            int number = 0;
            int start = 0;
            while (start < bytes.length) {
                int end = indexOf(bytes, (byte) '\n', start);
                number++;
                byte[] line = Arrays.copyOfRange(bytes, start, end > start && bytes[end - 1] == '\r' ? end - 1 : end);
                if (!isBlank(line)) {
                    read(name, number, line, messages, problems);
                }
                start = end + 1;
            }
        } else {
            read(name, 0, bytes, messages, problems);
        }
        return problems.isEmpty() ? ParsedFile.good(file, messages) : ParsedFile.malformed(file, problems);
    }

    /** Parses one message; {@code line} is 0 for a whole file. Adds it to {@code messages} or its problem to {@code problems}. */
    private void read(String name, int line, byte[] raw, List<ParsedFile.Line> messages, List<String> problems) {
        String where = line == 0 ? "" : "line " + line + ": ";
        JsonNode json;
        try {
            json = MAPPER.readTree(raw);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            int row = line == 0 ? at.getLineNr() : line;
            problems.add("line " + row + ", column " + at.getColumnNr() + ": not valid JSON: " + e.getOriginalMessage());
            return;
        } catch (IOException e) {
            problems.add(where + "cannot be read: " + e.getMessage());
            return;
        }
        if (json == null || json.isMissingNode()) {
            problems.add(where + "empty: no JSON value");
            return;
        }
        Map<String, String> headers = Map.of(FILE_NAME_HEADER, name);
        String fileKey = escaped(line == 0 ? name : name + "#" + line);
        KeyRule.Found key = keys.find(new KeyRule.Message(h -> Optional.ofNullable(headers.get(h)),
                n -> n.equals(FILE_NAME) ? Optional.of(fileKey) : Optional.empty(), json == null ? MissingNode.getInstance() : json));
        if (!key.isKey()) {
            problems.add(where + "no idempotency key: " + key.problem());
            return;
        }
        InboundMessage message = new InboundMessage(key.key(), CONTENT_TYPE, raw, json, headers);
        messages.add(new ParsedFile.Line(Math.max(line, 1), message));
    }

    /**
     * A file name as a key: keys are printable ASCII (they travel in headers), file names need not be, so every other
     * character is percent-encoded as UTF-8 ({@code müller.json} → {@code m%C3%BCller.json}).
     */
    static String escaped(String name) {
        StringBuilder key = new StringBuilder(name.length());
        for (byte b : name.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            if (b >= 0x20 && b < 0x7f && b != '%') {
                key.append((char) b);
            } else {
                key.append('%').append(String.format("%02X", b & 0xFF));
            }
        }
        return key.toString();
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return bytes.length;
    }

    private static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }
}
