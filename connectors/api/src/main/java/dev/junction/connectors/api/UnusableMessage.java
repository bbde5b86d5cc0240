package dev.junction.connectors.api;

import java.util.Map;
import java.util.Objects;

/**
 * A message a source received but cannot turn into an {@link InboundMessage}: it has no usable idempotency key, or its body
 * is not what the source can read. A push source refuses such a message to its sender (a webhook answers 400); a queue source
 * cannot, and must not acknowledge it silently either: it hands it to {@link Ingestor#reject}, which records it as a dead
 * letter of the integration with its raw bytes, so an operator sees it.
 *
 * @param errorClass  a short name of what is wrong ({@code invalid-key}, {@code invalid-body}), as dead letters are filtered by
 * @param reason      what is wrong, a sentence for an operator
 * @param contentType the media type of {@code raw} as received, empty when unknown
 * @param raw         the body exactly as received
 * @param headers     source metadata worth keeping (message properties, where it came from), small
 */
public record UnusableMessage(String errorClass, String reason, String contentType, byte[] raw, Map<String, String> headers) {
    public UnusableMessage {
        Objects.requireNonNull(errorClass, "errorClass");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(raw, "raw");
        contentType = contentType == null ? "" : contentType;
        headers = Map.copyOf(headers);
    }
}
