package dev.junction.connectors.http;

import dev.junction.connectors.api.http.HttpIngressRequest;

/**
 * Proves who sent a webhook, over the exact bytes received, before anything is parsed or stored. Implementations are
 * immutable and thread-safe; {@link #check} runs on the HTTP listener's threads and does not block.
 */
interface SignatureCheck {

    /**
     * Null when the request is proven to come from a holder of one of the secrets, else what was wrong, in words that name
     * headers and rules but never a secret or an expected signature.
     *
     * @param nowSeconds the current time, Unix seconds
     */
    String check(HttpIngressRequest request, long nowSeconds);
}
