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
 * @param revision       the revision of the integration it was accepted under; its steps and targets are those of that revision
 * @param parentId       for an element of a split or a reprocessed copy, the message it came from; else empty
 * @param firstStep      the index of the first step it goes through (the step after the split for a split's element)
 * @param mappings       the mapping versions of that revision ({@code order-to-erp.jslt@v1}): if the revision is no longer
 *                       loaded (the integration changed before a restart), the message is still mapped with these, as long as
 *                       they are configured (under {@code earlier-versions})
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
        Map<String, String> headers,
        String revision,
        String parentId,
        int firstStep,
        java.util.List<String> mappings) implements CborSerializable {

    /** Events written before revisions were recorded lack the newer fields. */
    public Envelope {
        revision = revision == null ? "" : revision;
        parentId = parentId == null ? "" : parentId;
        mappings = mappings == null ? java.util.List.of() : mappings;
    }
}
