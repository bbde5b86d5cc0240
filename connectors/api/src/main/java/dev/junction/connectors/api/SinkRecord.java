package dev.junction.connectors.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * One delivery attempt's record.
 *
 * @param messageId      the envelope's id, stable across attempts and restarts
 * @param integration    the integration that produced it
 * @param idempotencyKey the key the target must see on every attempt, so it applies the effect once
 * @param payload        the transformed message the target receives
 * @param payloadBytes   {@code payload} serialized once for all attempts: compact, single-line UTF-8 JSON
 * @param headers        metadata carried from the source (such as the content type of the original)
 * @param attempt        1 for the first attempt, 2 for the first retry, ...
 */
public record SinkRecord(
        String messageId,
        String integration,
        String idempotencyKey,
        JsonNode payload,
        byte[] payloadBytes,
        Map<String, String> headers,
        int attempt) {}
