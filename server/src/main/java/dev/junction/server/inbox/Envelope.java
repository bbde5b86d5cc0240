package dev.junction.server.inbox;

import dev.junction.server.serialization.CborSerializable;
import java.util.List;
import java.util.Map;

/**
 * A message accepted into the inbox. Immutable, persisted as it is. Built with {@link #builder()}, or from another one with
 * {@link #toBuilder()}.
 *
 * @param messageId      Junction's id for it, time-ordered
 * @param integration    the integration it belongs to
 * @param partition      the inbox partition, derived from the partition key if it has one, else from the idempotency key
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
 * @param unusable       for a message its source could not use (no key, a body it cannot read), why; it is kept so an operator
 *                       sees it, and dead-lettered without an attempt. Null for every other message
 * @param partitionKey   for an integration with {@code ordering = per-key}, the key it is ordered by: messages with one
 *                       partition key are delivered in the order they were accepted, and it chooses the partition. Null:
 *                       unordered (and events written before ordering existed)
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
        List<String> mappings,
        Unusable unusable,
        String partitionKey) implements CborSerializable {

    /** Why a source could not use a message: its error class ({@code invalid-key}) and a sentence for an operator. */
    public record Unusable(String errorClass, String reason) implements CborSerializable {}

    /**
     * The header of a copy a channel published into a subscriber's inbox: the channel's name. Such a copy has the published
     * message as its parent, yet it is an original of the subscriber (reprocessing takes it).
     */
    public static final String CHANNEL_HEADER = "junction-channel";

    /** Events written before revisions were recorded lack the newer fields. */
    public Envelope {
        revision = revision == null ? "" : revision;
        parentId = parentId == null ? "" : parentId;
        mappings = mappings == null ? List.of() : mappings;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this envelope's values, to make one that differs in a few. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.messageId = messageId;
        b.integration = integration;
        b.partition = partition;
        b.idempotencyKey = idempotencyKey;
        b.receivedAt = receivedAt;
        b.contentType = contentType;
        b.raw = raw;
        b.bodyHash = bodyHash;
        b.headers = headers;
        b.revision = revision;
        b.parentId = parentId;
        b.firstStep = firstStep;
        b.mappings = mappings;
        b.unusable = unusable;
        b.partitionKey = partitionKey;
        return b;
    }

    /** Builds an {@link Envelope}; every field has the meaning documented there. */
    public static final class Builder {
        private String messageId;
        private String integration;
        private int partition;
        private String idempotencyKey;
        private long receivedAt;
        private String contentType = "application/json";
        private byte[] raw;
        private long bodyHash;
        private Map<String, String> headers = Map.of();
        private String revision = "";
        private String parentId = "";
        private int firstStep;
        private List<String> mappings = List.of();
        private Unusable unusable;
        private String partitionKey;

        private Builder() {}

        public Builder messageId(String messageId) { this.messageId = messageId; return this; }
        public Builder integration(String integration) { this.integration = integration; return this; }
        public Builder partition(int partition) { this.partition = partition; return this; }
        public Builder idempotencyKey(String idempotencyKey) { this.idempotencyKey = idempotencyKey; return this; }
        public Builder receivedAt(long receivedAt) { this.receivedAt = receivedAt; return this; }
        public Builder contentType(String contentType) { this.contentType = contentType; return this; }
        public Builder raw(byte[] raw) { this.raw = raw; return this; }
        public Builder bodyHash(long bodyHash) { this.bodyHash = bodyHash; return this; }
        public Builder headers(Map<String, String> headers) { this.headers = headers; return this; }
        public Builder revision(String revision) { this.revision = revision; return this; }
        public Builder parentId(String parentId) { this.parentId = parentId; return this; }
        public Builder firstStep(int firstStep) { this.firstStep = firstStep; return this; }
        public Builder mappings(List<String> mappings) { this.mappings = mappings; return this; }
        public Builder unusable(Unusable unusable) { this.unusable = unusable; return this; }
        public Builder partitionKey(String partitionKey) { this.partitionKey = partitionKey; return this; }

        public Envelope build() {
            return new Envelope(messageId, integration, partition, idempotencyKey, receivedAt, contentType, raw, bodyHash, headers,
                    revision, parentId, firstStep, mappings, unusable, partitionKey);
        }
    }
}
