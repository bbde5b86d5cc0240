package dev.junction.connectors.http;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.connectors.api.PermanentException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One page a poll fetched: the whole body, its items (the array at the poll's {@code items} pointer; the body itself when
 * that is empty), and its {@code Link} header. Immutable.
 */
record Page(JsonNode body, List<JsonNode> items, Optional<String> linkHeader) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Reads a page. A body that is not JSON, or has no array where the items should be, is a {@link PermanentException}
     * ({@code invalid-page}): the run fails with it visibly and the next run tries again.
     */
    static Page parse(byte[] bytes, JsonPointer itemsAt, Optional<String> linkHeader, String url) {
        JsonNode body;
        try {
            body = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new PermanentException("invalid-page", url + ": the page is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (body == null || body.isMissingNode()) {
            throw new PermanentException("invalid-page", url + ": the page is empty");
        }
        JsonNode array = body.at(itemsAt);
        if (!array.isArray()) {
            throw new PermanentException("invalid-page", url + ": the page has no array at " + (itemsAt.matches() ? "its root" : itemsAt)
                    + " (found " + (array.isMissingNode() ? "nothing" : array.getNodeType().name().toLowerCase(java.util.Locale.ROOT)) + ")");
        }
        List<JsonNode> items = new ArrayList<>(array.size());
        array.forEach(items::add);
        return new Page(body, List.copyOf(items), linkHeader);
    }
}
