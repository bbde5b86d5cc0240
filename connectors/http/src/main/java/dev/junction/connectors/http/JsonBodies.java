package dev.junction.connectors.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.IOException;
import java.util.regex.Pattern;

/**
 * The connector's one {@link ObjectMapper} and the way it explains a body that is not JSON. Thread-safe: the mapper is
 * configured once here and never changed afterwards.
 */
final class JsonBodies {

    /** Shared by every request: an ObjectMapper is thread-safe once configured and costly to build. */
    static final ObjectMapper MAPPER = new ObjectMapper()
            // "{...} garbage" is not one JSON document; Jackson would otherwise read the first value and ignore the rest.
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    // Jackson's messages point at its own source descriptions and feature flags; a sender needs neither.
    private static final Pattern SOURCE_REF = Pattern.compile("\\s*\\((?:start marker at|for root starting at) \\[Source:.*?]\\)");
    private static final Pattern FEATURE_REF = Pattern.compile(",?\\s*from `[^`]*`|`[^`]*`");

    private JsonBodies() {}

    /** The parse of a body: the tree, or a sentence saying what is wrong and where. */
    record Parsed(JsonNode json, String problem) {}

    /** Parses {@code body}; never throws. Empty and whitespace-only bodies are a problem, not a missing node. */
    static Parsed parse(byte[] body) {
        if (body.length == 0) {
            return new Parsed(null, "the request body is empty; a JSON document is required");
        }
        try {
            JsonNode json = MAPPER.readTree(body);
            if (json == null || json.isMissingNode()) {
                return new Parsed(null, "the request body holds only whitespace; a JSON document is required");
            }
            return new Parsed(json, null);
        } catch (JsonProcessingException e) {
            return new Parsed(null, "the request body is not valid JSON" + where(e.getLocation()) + ": " + reason(e));
        } catch (IOException e) {
            // readTree(byte[]) reads no stream, so this is unreachable in practice; keep the answer a 400 anyway.
            return new Parsed(null, "the request body is not valid JSON");
        }
    }

    private static String where(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    private static String reason(JsonProcessingException e) {
        if (e instanceof MismatchedInputException) {
            return "unexpected content after the JSON document";
        }
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().lines().findFirst().orElse("");
        message = FEATURE_REF.matcher(SOURCE_REF.matcher(message).replaceAll("")).replaceAll("").trim();
        if (e instanceof StreamConstraintsException) {
            message = "the document exceeds a parser limit: " + message;
        }
        return message.length() > 200 ? message.substring(0, 197) + "..." : message;
    }
}
