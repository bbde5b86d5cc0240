package dev.junction.server.inbox;

import java.util.Map;

/**
 * A message accepted into the inbox. Immutable, persisted as it is.
 *
 * @param messageId      Junction's id for it, time-ordered
 * @param integration    the integration it belongs to
 * @param partition      the inbox partition, derived from the idempotency key
 * @param idempotencyKey the key that identifies its effect; every delivery attempt carries it
 * @param receivedAt     when it was received, epoch milliseconds
 * @param contentType    the media type of {@code raw}
 * @param raw            the body exactly as received
 * @param bodyHash       a 64-bit digest of {@code raw}: the same key with another body is a conflict
 * @param headers        source metadata kept with it
 */
public record Envelope(
        String messageId,
        String integration,
        int partition,
        String idempotencyKey,
        long receivedAt,
        String contentType,
        byte[] raw,
        long bodyHash,
        Map<String, String> headers) implements CborSerializable {}
