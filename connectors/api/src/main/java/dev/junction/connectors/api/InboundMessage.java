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
 * @param partitionKey   the key the source itself orders by (a CDC source: the row's primary key), or null. Used only when
 *                       the integration asks for {@code ordering = per-key} without a {@code partition-key} rule of its own;
 *                       messages with one partition key are then delivered in the order they were accepted. A source that
 *                       sets it says so with {@link SourceFactory#setsPartitionKey}
 */
public record InboundMessage(String idempotencyKey, String contentType, byte[] raw, JsonNode json, Map<String, String> headers,
                             String partitionKey) {

    /** A message without a partition key of its source's: every source but those that order by a key of their own. */
    public InboundMessage(String idempotencyKey, String contentType, byte[] raw, JsonNode json, Map<String, String> headers) {
        this(idempotencyKey, contentType, raw, json, headers, null);
    }

    /** This message with the partition key its source orders it by. */
    public InboundMessage withPartitionKey(String key) {
        return new InboundMessage(idempotencyKey, contentType, raw, json, headers, key);
    }

    public InboundMessage {
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        Objects.requireNonNull(raw, "raw");
        Objects.requireNonNull(json, "json");
        Map<String, String> kept = new java.util.HashMap<>(headers);
        kept.replaceAll((name, value) -> Redaction.isSecretHeader(name) ? Redaction.REDACTED : value);
        headers = Map.copyOf(kept);
    }
}
