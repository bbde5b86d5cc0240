package dev.junction.connectors.file;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.connectors.api.SinkRecord;
import java.time.Instant;
import java.util.Optional;

/**
 * The one line the sink writes per message, and the reverse: finding the idempotency key in a line already in the file.
 * Stateless and thread-safe ({@link ObjectMapper} is, once configured).
 */
final class JsonlLine {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonlLine() {}

    /**
     * {@code {"messageId":…,"idempotencyKey":…,"integration":…,"writtenAt":…,"payload":…}} and a newline, as UTF-8.
     * Compact JSON escapes newlines inside strings, so one record is always exactly one line.
     *
     * @throws JsonProcessingException when the payload cannot be written as JSON (bad data, not a retriable failure)
     */
    static byte[] encode(SinkRecord record, Instant writtenAt) throws JsonProcessingException {
        ObjectNode line = MAPPER.createObjectNode();
        line.put("messageId", record.messageId());
        line.put("idempotencyKey", record.idempotencyKey());
        line.put("integration", record.integration());
        line.put("writtenAt", writtenAt.toString());
        line.set("payload", record.payload() == null ? NullNode.getInstance() : record.payload());
        byte[] json = MAPPER.writeValueAsBytes(line);
        byte[] withNewline = java.util.Arrays.copyOf(json, json.length + 1);
        withNewline[json.length] = '\n';
        return withNewline;
    }

    /** The idempotency key of a line written by {@link #encode}; empty when the line is torn, foreign or not JSON. */
    static Optional<String> keyOf(String line) {
        if (line.isBlank()) {
            return Optional.empty();
        }
        try {
            JsonNode key = MAPPER.readTree(line).path("idempotencyKey");
            return key.isTextual() ? Optional.of(key.asText()) : Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }
}
