package dev.junction.connectors.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Reads one resource of a system for a pipeline's {@code enrich} step ({@code GET /stock/LAMP}). The server makes each read
 * through the system's gates ({@link SystemCalls}) and caches the answers; the reader only talks to the system.
 *
 * <p>Lifecycle: opened once per enrich step per node by {@link LookupFactory#open}, used by every partition at once, never
 * closed (it holds no resources of its own beyond the shared client). Thread-safe; never blocks.
 */
public interface LookupReader {

    /**
     * The JSON document at {@code path} (relative to the system's base, already URL-encoded); empty when the system says there
     * is none (HTTP 404). Fails with a {@link RetriableException} (timeouts, 5xx, 429 with its {@code retryAfter}) or a
     * {@link PermanentException} (any other refusal, an answer that is not JSON), classified like a delivery's.
     */
    CompletionStage<Optional<JsonNode>> get(String path);
}
