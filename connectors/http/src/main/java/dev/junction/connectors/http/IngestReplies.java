package dev.junction.connectors.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.connectors.api.http.HttpReply;
import dev.junction.connectors.api.IngestResult;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Turns the inbox's answer to one webhook message into the HTTP reply the sender sees. Stateless. */
final class IngestReplies {

    private IngestReplies() {}

    /** The reply for {@code result}; every reply echoes {@code key} in an {@code Idempotency-Key} header. */
    static HttpReply reply(IngestResult result, String key) {
        if (result instanceof IngestResult.Accepted accepted) {
            return HttpReply.json(202, echo(key), status(accepted.messageId(), "accepted"));
        }
        if (result instanceof IngestResult.Duplicate duplicate) {
            Map<String, String> headers = new HashMap<>(echo(key));
            headers.put("Idempotent-Replayed", "true");
            return HttpReply.json(200, Map.copyOf(headers), status(duplicate.messageId(), "duplicate"));
        }
        if (result instanceof IngestResult.Conflict conflict) {
            return HttpReply.problem(409, "idempotency-key-conflict", "Idempotency key reused",
                    "the idempotency key " + key + " was already used for message " + conflict.messageId()
                            + " with a different body; send a new key for a different message", echo(key));
        }
        IngestResult.Unavailable unavailable = (IngestResult.Unavailable) result;
        return unavailable(key, unavailable.reason(), unavailable.retryAfter());
    }

    /** 503 with {@code Retry-After} in whole seconds, at least 1: the sender must not hammer an inbox that is refusing. */
    static HttpReply unavailable(String key, String reason, Duration retryAfter) {
        long seconds = retryAfter == null ? 1 : Math.max(1, (retryAfter.toMillis() + 999) / 1000);
        Map<String, String> headers = new HashMap<>(echo(key));
        headers.put("Retry-After", Long.toString(seconds));
        String detail = "the message was not accepted: " + (reason == null || reason.isBlank() ? "the inbox is unavailable" : reason)
                + "; send it again with the same idempotency key after " + seconds + "s";
        return HttpReply.problem(503, "inbox-unavailable", "Inbox unavailable", detail, Map.copyOf(headers));
    }

    private static Map<String, String> echo(String key) {
        return key == null ? Map.of() : Map.of("Idempotency-Key", key);
    }

    private static byte[] status(String messageId, String status) {
        ObjectNode body = JsonBodies.MAPPER.createObjectNode().put("messageId", messageId).put("status", status);
        try {
            return JsonBodies.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("two strings always serialize", e);
        }
    }
}
