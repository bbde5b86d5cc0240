package dev.junction.connectors.file;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * How a message read from a file gets its idempotency key: from where it came ({@code file-name}: the file's name, or
 * {@code <name>#<line>} for a line of a JSON Lines file) or from a value inside it ({@code json:/order/id}). Immutable.
 *
 * <p>Why the file name by default: a file re-delivered under the same name is the same message. A producer that re-exports
 * the same records under new names should use a {@code json:} key instead.
 */
final class MessageKeys {
    static final String FILE_NAME = "file-name";
    private static final String JSON = "json:";

    private final JsonPointer pointer; // null: key by file name

    private MessageKeys(JsonPointer pointer) {
        this.pointer = pointer;
    }

    /** True for {@code file-name} and for {@code json:} followed by a non-empty JSON pointer. */
    static boolean isValid(String setting) {
        try {
            parse(setting);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static MessageKeys parse(String setting) {
        if (setting.equals(FILE_NAME)) {
            return new MessageKeys(null);
        }
        if (setting.startsWith(JSON) && setting.length() > JSON.length() + 1 && setting.charAt(JSON.length()) == '/') {
            return new MessageKeys(JsonPointer.compile(setting.substring(JSON.length())));
        }
        throw new IllegalArgumentException("not an idempotency-key rule: " + setting);
    }

    /**
     * The key of one message: {@code line} is its line in a JSON Lines file, or 0 for a whole-file message. Empty when the
     * pointer finds no string or number in {@code json}; {@link #describe()} says what was looked for.
     */
    Optional<String> keyOf(String fileName, int line, JsonNode json) {
        if (pointer == null) {
            return Optional.of(line == 0 ? fileName : fileName + "#" + line);
        }
        JsonNode value = json.at(pointer);
        boolean usable = (value.isTextual() && !value.asText().isEmpty()) || value.isNumber();
        return usable ? Optional.of(value.asText()) : Optional.empty();
    }

    /** What {@link #keyOf} looks for, for error reports. */
    String describe() {
        return pointer == null ? FILE_NAME : "a string or number at " + pointer;
    }
}
