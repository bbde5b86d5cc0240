package dev.junction.connectors.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Objects;

/**
 * One message a source received, before it is accepted.
 *
 * @param idempotencyKey the key that identifies the message's effect; the same key is the same message
 * @param contentType    the media type of {@code raw}, as received
 * @param raw            the body exactly as received; kept beside the envelope
 * @param json           {@code raw} parsed: the canonical form the steps work on
 * @param headers        source metadata worth keeping (selected HTTP headers, a file name), small; the values of credentials
 *                       and signatures ({@link Redaction#isSecretHeader}) are replaced here, before anything is written
 */
public record InboundMessage(String idempotencyKey, String contentType, byte[] raw, JsonNode json, Map<String, String> headers) {
    public InboundMessage {
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        Objects.requireNonNull(raw, "raw");
        Objects.requireNonNull(json, "json");
        Map<String, String> kept = new java.util.HashMap<>(headers);
        kept.replaceAll((name, value) -> Redaction.isSecretHeader(name) ? Redaction.REDACTED : value);
        headers = Map.copyOf(kept);
    }
}
