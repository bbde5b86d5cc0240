package dev.junction.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.server.inbox.DeadLetters;
import dev.junction.server.inbox.MappingChoice;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A dead-letter filter as the API takes it, from query parameters (listing) or a JSON body (bulk operations), checked so a
 * misspelt or malformed field is a 400 naming it, never a filter that silently matches everything.
 *
 * @param by     who asks (recorded with a replay or a discard); {@code anonymous} until the admin API has authentication
 * @param reason why (recorded); required for a discard
 * @param mappings for a replay: {@code original} (default) maps again with the versions the message was first mapped with,
 *               {@code current} goes through the integration's current revision
 */
record DeadLetterFilter(String integration, DeadLetters.Query query, String by, String reason, MappingChoice mappings) {
    private static final List<String> FILTER_KEYS = List.of("integration", "system", "target", "errorClass", "from", "to", "limit",
            "after");
    private static final List<String> BODY_KEYS = List.of("integration", "system", "target", "errorClass", "from", "to", "limit",
            "by", "reason", "mappings");

    static DeadLetterFilter fromParams(Map<String, String> params, int defaultLimit, int maxLimit) {
        return of(checkKeys(params, FILTER_KEYS), java.util.Set.of(), defaultLimit, maxLimit);
    }

    static DeadLetterFilter fromJson(JsonNode body, int defaultLimit, int maxLimit) {
        return of(checkKeys(texts(body), BODY_KEYS), java.util.Set.of(), defaultLimit, maxLimit);
    }

    /** One envelope's dead letters; the body may narrow them to a {@code target} and give {@code by} and {@code reason}. */
    static DeadLetterFilter forOne(String messageId, JsonNode body) {
        return of(checkKeys(texts(body), List.of("target", "by", "reason", "mappings")), java.util.Set.of(messageId), 1, 1);
    }

    /** The same filter, recorded as done by {@code caller} (the authenticated token's name), whatever the body said. */
    DeadLetterFilter withBy(String caller) {
        return new DeadLetterFilter(integration, query, caller, reason, mappings);
    }

    static Map<String, String> checkKeys(Map<String, String> given, List<String> known) {
        for (String key : given.keySet()) {
            if (!known.contains(key)) {
                throw ApiProblem.badRequest("unknown field '" + key + "' (known: " + String.join(", ", known) + ")");
            }
        }
        return given;
    }

    private static DeadLetterFilter of(Map<String, String> f, java.util.Set<String> messageIds, int defaultLimit, int maxLimit) {
        Long from = instant(f, "from");
        Long to = instant(f, "to");
        if (from != null && to != null && from >= to) {
            throw ApiProblem.badRequest("'from' must be before 'to'");
        }
        int limit = defaultLimit;
        if (f.containsKey("limit")) {
            try {
                limit = Integer.parseInt(f.get("limit"));
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > maxLimit) {
                throw ApiProblem.badRequest("'limit' must be a whole number from 1 to " + maxLimit + ", not '" + f.get("limit") + "'");
            }
        }
        String by = f.getOrDefault("by", "anonymous");
        String mappings = f.getOrDefault("mappings", MappingChoice.ORIGINAL.wire());
        if (!mappings.equals(MappingChoice.ORIGINAL.wire()) && !mappings.equals(MappingChoice.CURRENT.wire())) {
            throw ApiProblem.badRequest("'mappings' is original (the versions the message was first mapped with) or current, not '"
                    + mappings + "'");
        }
        return new DeadLetterFilter(f.get("integration"),
                new DeadLetters.Query(messageIds, f.get("system"), f.get("target"), f.get("errorClass"), from, to, limit, cursor(f.get("after"))),
                by, f.get("reason"), MappingChoice.fromWire(mappings));
    }

    /** A listing's position as the API hands it out: opaque to clients, {@code <ms>:<message id>:<target>} inside. */
    static String cursor(DeadLetters.Entry last) {
        String plain = last.deadLetteredAt() + ":" + last.messageId() + ":" + last.target();
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static DeadLetters.Cursor cursor(String given) {
        if (given == null) {
            return null;
        }
        try {
            String[] parts = new String(java.util.Base64.getUrlDecoder().decode(given), java.nio.charset.StandardCharsets.UTF_8).split(":", 3);
            return new DeadLetters.Cursor(Long.parseLong(parts[0]), parts[1], parts[2]);
        } catch (RuntimeException e) {
            throw ApiProblem.badRequest("'after' must be the 'next' value of an earlier page, not '" + given + "'");
        }
    }

    private static Long instant(Map<String, String> f, String key) {
        String value = f.get(key);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw ApiProblem.badRequest("'" + key + "' must be an ISO-8601 instant such as 2026-11-22T08:00:00Z, not '" + value + "'");
        }
    }

    /** The body's fields as text; only strings and numbers are filter values. */
    private static Map<String, String> texts(JsonNode body) {
        Map<String, String> result = new LinkedHashMap<>();
        List<String> wrong = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode v = field.getValue();
            if (v.isNull()) {
                continue;
            }
            if (!v.isTextual() && !v.isNumber()) {
                wrong.add(field.getKey());
            }
            result.put(field.getKey(), v.asText());
        }
        if (!wrong.isEmpty()) {
            throw ApiProblem.badRequest("fields must be strings or numbers: " + String.join(", ", wrong));
        }
        return result;
    }
}
